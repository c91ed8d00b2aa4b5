"""The companion's flow without HTTP: protect, reveal and verify, then record the decision.

Between steps, everything that holds text (the conversation's mapping, the protected request,
the restored answer) is sealed with the vault key and stored server-side, bound to the browser
session and expiring; the journal receives only codes, counts and measures at the end.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import Levenshtein

from avec.catalog import TASK_IDS, System
from avec.config import Settings
from avec.journal import InteractionRecord, Journal, Outcome, SessionVaultStore
from avec.protect.api import Conversation, InputError, protect, reveal
from avec.protect.pipeline import Pipeline, ProtectionError, default_pipeline
from avec.protect.vault import VaultError, seal, unseal
from avec.text import LABEL_FR
from avec.web.analysis import RiskView, risk_view
from avec.web.findings import FindingView, Verifier, counts, to_views

DOCUMENT_HEADER = "\n\n----- Document -----\n"
_MAX_DURATION = 7 * 24 * 3600.0


class FlowError(ValueError):
    """A step cannot be done; the French message is shown to the user and quotes no text."""


@dataclass(frozen=True, slots=True)
class ProtectResult:
    """Step 3: what to copy into the chatbot, and what was replaced."""

    flow_id: str
    text: str
    counts: dict[str, int]
    risk: RiskView | None


@dataclass(frozen=True, slots=True)
class RevealResult:
    """Step 4: the restored answer and its findings."""

    flow_id: str
    answer: str
    findings: list[FindingView]
    verified: bool
    verify_note: str


def compose(request: str, document: str) -> str:
    """The single text the professional sends: the request, then the document if any."""
    return request.strip() + (DOCUMENT_HEADER + document.strip() if document.strip() else "")


def correction_ratio(answer: str, final: str) -> float:
    """Normalised edit distance: 0 when the answer is kept as is, 1 when entirely rewritten."""
    return float(Levenshtein.normalized_distance(answer, final))


class Companion:
    """The flow's operations, shared by the pages and the JSON endpoints.

    Args:
        settings: AVEC settings (TTL, size limits, surrogate mode).
        journal: where decisions are recorded.
        store: where sealed flows wait between steps.
        key: Fernet key of the vault.
        systems: the catalogue, by id.
        pipeline: the detection pipeline; the shared default one when None.
        verifier: ``verify(answer, source)``, or None when verification is not installed.
        clock: Unix time; tests inject a fake one.
    """

    def __init__(
        self,
        settings: Settings,
        journal: Journal,
        store: SessionVaultStore,
        key: bytes,
        systems: Mapping[str, System],
        pipeline: Pipeline | None,
        verifier: Verifier | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.journal = journal
        self.store = store
        self.key = key
        self.systems = systems
        self.pipeline = pipeline
        self.verifier = verifier
        self.clock = clock

    # --- helpers -----------------------------------------------------------------------------

    def detector(self) -> Pipeline:
        """The detection pipeline (the shared default one is loaded on first use)."""
        return self.pipeline or default_pipeline()

    def _check_choice(self, system_id: str, task: str) -> None:
        if system_id not in self.systems:
            raise FlowError("Choisissez un système d'IA dans la liste.")
        if task not in TASK_IDS:
            raise FlowError("Choisissez une tâche dans la liste.")

    def _load(self, session: str, flow_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        stored = self.store.load(flow_id, session) if flow_id else None
        if stored is None:
            raise FlowError(
                "Cette demande est introuvable ou a expiré (la correspondance n'est gardée que "
                "pour une durée limitée, et seulement dans ce navigateur). Recommencez la demande."
            )
        try:
            return unseal(stored.blob, self.key), stored.meta
        except VaultError as exc:
            raise FlowError(str(exc)) from None

    def _save(self, session: str, flow_id: str, payload: dict[str, Any], meta: dict[str, Any]) -> None:
        self.store.save(flow_id, session, seal(payload, self.key), meta)

    # --- steps -------------------------------------------------------------------------------

    def protect(
        self, session: str, system_id: str, task: str, request: str, document: str, started_at: float | None
    ) -> ProtectResult:
        """Step 3: pseudonymize the request and document; keep the mapping sealed server-side.

        Raises:
            FlowError: bad choice, empty or too long text, or protection failed (fail closed).
        """
        self._check_choice(system_id, task)
        if not request.strip():
            raise FlowError("Écrivez votre demande avant de la protéger.")
        conv = Conversation.new(self.settings)
        try:
            result = protect(
                compose(request, document), conv, pipeline=self.detector(), settings=self.settings
            )
        except (InputError, ProtectionError) as exc:
            raise FlowError(f"Protection impossible, rien n'est à copier : {exc}") from None
        now = self.clock()
        if started_at is None or not now - _MAX_DURATION <= started_at <= now:
            started_at = now
        risk = risk_view(result.risk)
        meta = {
            "system_id": system_id,
            "task": task,
            "started_at": started_at,
            "data_categories": dict(Counter(str(s.label) for s in result.spans)),
            "indirect_risk": risk.level if risk else None,
            "finding_counts": {},
        }
        flow_id = secrets.token_urlsafe(18)
        payload = {"conversation": conv.to_blob(self.key).decode("ascii"), "protected": result.text}
        self._save(session, flow_id, payload, meta)
        shown = Counter(LABEL_FR.get(str(s.label), str(s.label)) for s in result.spans)
        return ProtectResult(flow_id, result.text, dict(sorted(shown.items())), risk)

    def protected_text(self, session: str, flow_id: str) -> str:
        """The protected text of a flow (to show step 3 again)."""
        payload, _ = self._load(session, flow_id)
        return str(payload["protected"])

    def reveal(self, session: str, flow_id: str, answer: str) -> RevealResult:
        """Step 4: restore the identifiers in the AI's answer and verify it against the source.

        Raises:
            FlowError: unknown or expired flow, empty or too long answer, expired mapping.
        """
        payload, meta = self._load(session, flow_id)
        if not answer.strip():
            raise FlowError("La réponse est vide : collez la réponse de l'IA.")
        if len(answer) > self.settings.max_input_chars:
            raise FlowError("La réponse est trop longue pour être vérifiée : découpez-la.")
        try:
            conv = Conversation.from_blob(str(payload["conversation"]).encode("ascii"), self.key)
            restored = reveal(answer, conv)
            source = reveal(str(payload["protected"]), conv)
        except (InputError, VaultError) as exc:
            raise FlowError(f"Restitution impossible : {exc}") from None
        views: list[FindingView] = []
        verified, note = False, ""
        if self.verifier is None:
            note = "La vérification automatique n'est pas installée : relisez vous-même chaque point."
        else:
            try:
                views = to_views(self.verifier(restored, source), len(restored))
                verified = True
            except Exception as exc:  # the answer is still shown, with a clear warning
                note = f"La vérification automatique a échoué ({type(exc).__name__}) : relisez vous-même."
        payload["answer"] = restored
        meta["finding_counts"] = counts(views)
        self._save(session, flow_id, payload, meta)
        return RevealResult(flow_id, restored, views, verified, note)

    def finish(self, session: str, flow_id: str, outcome: str, final_text: str, rating: int | None) -> int:
        """Step 5: record the decision (never the text) and forget the flow.

        Raises:
            FlowError: unknown or expired flow, unknown outcome or rating.
        """
        try:
            decision = Outcome(outcome)
        except ValueError:
            raise FlowError("Choisissez : valider, rejeter ou abandonner.") from None
        if rating is not None and not 1 <= rating <= 5:
            raise FlowError("La note va de 1 à 5.")
        payload, meta = self._load(session, flow_id)
        answer = payload.get("answer")
        ratio = None
        if isinstance(answer, str) and (final_text.strip() or decision is not Outcome.ABANDONED):
            ratio = correction_ratio(answer.strip(), final_text.strip())
        duration = min(max(self.clock() - float(meta["started_at"]), 0.0), _MAX_DURATION)
        record = InteractionRecord(
            system_id=str(meta["system_id"]),
            task=str(meta["task"]),
            outcome=decision,
            data_categories=dict(meta.get("data_categories") or {}),
            indirect_risk=meta.get("indirect_risk"),
            finding_counts=dict(meta.get("finding_counts") or {}),
            correction_ratio=ratio,
            duration_seconds=round(duration, 1),
            rating=rating,
        )
        interaction_id = self.journal.record_interaction(record)
        self.store.delete(flow_id, session)
        return interaction_id

    def ai_free(self, task: str) -> int:
        """Record a task done without AI.

        Raises:
            FlowError: unknown task.
        """
        if task not in TASK_IDS:
            raise FlowError("Choisissez une tâche dans la liste.")
        return self.journal.record_ai_free_task(task)
