"""Organisation transparency register: per GenAI system, what was sent, what was blocked,
how widely it is used, and which incidents were reported.

Meant for the DPO, the quality team and anyone who asks "which data go to which AI?". It
lists categories and counts only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from avec.catalog import System
from avec.estimate.register import ErrorReport
from avec.estimate.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class SystemTransparency:
    """One line of the register.

    Attributes:
        system_id: catalogue code.
        name: catalogue name (the code when the system is not in the catalogue).
        in_catalogue: whether the system is (still) in the catalogue.
        health_data_allowed: the catalogue's decision, None when not in the catalogue.
        uses: uses in the period.
        actors: distinct users or gateway keys that used it.
        adoption: ``actors`` over all actors of the period (0 to 1).
        sent_pseudonymized: identifiers sent as surrogates, per category.
        sent_allowed: identifiers sent as they were because the policy allowed it, per category.
        blocked: identifiers that stopped a request, per category.
        blocked_requests: requests refused by the policy.
        incidents: AI errors reported, per severity.
    """

    system_id: str
    name: str
    in_catalogue: bool
    health_data_allowed: bool | None
    uses: int
    actors: int
    adoption: float
    sent_pseudonymized: dict[str, int]
    sent_allowed: dict[str, int]
    blocked: dict[str, int]
    blocked_requests: int
    incidents: dict[str, int]


def _sum(dicts: Iterable[dict[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for d in dicts:
        total.update(d)
    return dict(sorted(total.items()))


def transparency_register(
    snapshot: Snapshot, errors: Sequence[ErrorReport], catalog: Sequence[System] = ()
) -> list[SystemTransparency]:
    """The register for the period: every catalogue system, plus any other system used.

    Args:
        snapshot: uses of the period.
        errors: AI errors reported in the period.
        catalog: the organisation's catalogue (names and health-data decision).
    """
    by_id = {s.id: s for s in catalog}
    all_actors = {u.actor for u in snapshot.uses if u.actor is not None}
    ids = list(by_id) + sorted({u.system_id for u in snapshot.uses} - set(by_id))
    ids += sorted({e.system_id for e in errors} - set(ids))
    lines: list[SystemTransparency] = []
    for sid in ids:
        uses = [u for u in snapshot.uses if u.system_id == sid]
        actors = {u.actor for u in uses if u.actor is not None}
        system = by_id.get(sid)
        severities = Counter(e.severity for e in errors if e.system_id == sid)
        lines.append(
            SystemTransparency(
                system_id=sid,
                name=system.name if system is not None else sid,
                in_catalogue=system is not None,
                health_data_allowed=system.health_data_allowed if system is not None else None,
                uses=len(uses),
                actors=len(actors),
                adoption=round(len(actors) / len(all_actors), 3) if all_actors else 0.0,
                sent_pseudonymized=_sum(u.replaced for u in uses),
                sent_allowed=_sum(u.allowed for u in uses),
                blocked=_sum(u.blocked for u in uses),
                blocked_requests=sum(1 for u in uses if u.outcome == "blocked"),
                incidents=dict(sorted(severities.items())),
            )
        )
    return lines
