"""Policy per system and team, applied inside protection as a filter on detected spans.

The effective action of a data category is the stricter of the system's and the team's
(``block`` > ``redact`` > ``allow``): a team can tighten a system's policy, never loosen it,
and a system not approved for health data never has ``allow`` (checked when the file is read,
and again here so that a programming error cannot open it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from avec.gateway.auth import Principal
from avec.gateway.config import STRICTNESS, Action, GatewayConfig, Policy, SystemConfig
from avec.gateway.errors import forbidden
from avec.protect.pipeline import ProtectionError
from avec.text import LABEL_FR, Span


class Detector(Protocol):
    """The detection step protection runs (``avec.protect.pipeline.Pipeline`` and test fakes)."""

    def detect(self, text: str) -> list[Span]:
        """Identifier spans of ``text``."""


class BlockedCategoryError(ProtectionError):
    """A data category the policy blocks was found; carries the labels, never the values.

    A :class:`ProtectionError`, so that ``protect`` passes it on unchanged (it wraps any other
    exception of the detection step).
    """

    def __init__(self, labels: Counter[str]) -> None:
        super().__init__("catégorie bloquée")
        self.labels = labels


@dataclass(frozen=True)
class EffectivePolicy:
    """The actions applying to one request."""

    system: Policy
    team: Policy | None
    health_data: bool

    def action(self, label: str) -> Action:
        """The stricter of the system's and the team's action for ``label``."""
        act = self.system.action(label)
        if self.team is not None:
            other = self.team.action(label)
            act = other if STRICTNESS[other] > STRICTNESS[act] else act
        if act is Action.ALLOW and not self.health_data:
            return Action.REDACT  # unreachable with a validated file; kept as a second lock
        return act

    def fingerprint(self) -> str:
        """A stable text identifying the policy (keys the protected-text cache)."""
        team = self.team.model_dump_json() if self.team is not None else ""
        return f"{self.system.model_dump_json()}|{team}|{self.health_data}"


def resolve_policy(config: GatewayConfig, system: SystemConfig, principal: Principal) -> EffectivePolicy:
    """The policy for ``principal`` on ``system``.

    Raises:
        GatewayError: 403 when the principal's team may not use the system.
    """
    team = config.teams.get(principal.team) if principal.team else None
    if team is not None and team.systems is not None and system.id not in team.systems:
        raise forbidden(
            "avec_system_not_allowed",
            f"Votre équipe n'est pas autorisée à utiliser le système « {system.name or system.id} ».",
        )
    return EffectivePolicy(system.policy, team.policy if team else None, system.health_data)


@dataclass
class PolicyDetector:
    """Wraps a detector: counts categories, refuses blocked ones, drops allowed ones.

    ``protect`` replaces exactly the spans returned, so returning only the ``redact`` spans
    applies the policy without a second pass over the text.
    """

    inner: Detector
    policy: EffectivePolicy
    replaced: Counter[str] = field(default_factory=Counter)
    allowed: Counter[str] = field(default_factory=Counter)

    def detect(self, text: str) -> list[Span]:
        """Spans to replace.

        Raises:
            BlockedCategoryError: a blocked category is present.
        """
        spans = self.inner.detect(text)
        blocked: Counter[str] = Counter()
        keep: list[Span] = []
        allowed: Counter[str] = Counter()
        for span in spans:
            act = self.policy.action(span.label)
            if act is Action.BLOCK:
                blocked[span.label] += 1
            elif act is Action.ALLOW:
                allowed[span.label] += 1
            else:
                keep.append(span)
        if blocked:
            raise BlockedCategoryError(blocked)
        self.allowed.update(allowed)
        self.replaced.update(s.label for s in keep)
        return keep


def blocked_message(labels: Counter[str], system_name: str) -> str:
    """The French explanation of a refusal, naming categories, never values."""
    names = ", ".join(LABEL_FR.get(label, label) for label in sorted(labels))
    return (
        f"Requête refusée : elle contient des données que la politique interdit d'envoyer au système "
        f"« {system_name} » ({names}). Retirez-les, ou utilisez un système autorisé. Rien n'a été envoyé."
    )
