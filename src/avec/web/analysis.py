"""Live analysis of a request being written: identifiers, indirect risk, explicitness, warnings.

Runs on each (debounced) keystroke. The result holds offsets, categories and French advice,
never a copy of the text, so it can cross the network without repeating what was typed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from avec.catalog import System, task_label
from avec.prompting import lint
from avec.text import LABEL_FR, Span


class Detector(Protocol):
    """Anything with ``detect(text) -> list[Span]`` (the protection pipeline, or a test double)."""

    def detect(self, text: str) -> list[Span]: ...


@dataclass(frozen=True, slots=True)
class RiskView:
    """Indirect-identification risk for the page."""

    level: str
    explanation: str
    reasons: list[str] = field(default_factory=list)


def risk_view(risk: Any) -> RiskView | None:
    """An indirect-risk report (``avec.protect.indirect.IndirectRisk``) as a view."""
    if risk is None or getattr(risk, "level", None) is None:
        return None
    try:
        from avec.protect.indirect import iter_explanations

        reasons = list(dict.fromkeys(iter_explanations(risk)))
    except ImportError:
        reasons = []
    return RiskView(str(risk.level), str(getattr(risk, "explanation_fr", "")), reasons)


def assess_risk(text: str, spans: list[Span]) -> RiskView | None:
    """``avec.protect.indirect.assess`` as a view; None when the module is absent."""
    try:
        from avec.protect.indirect import assess
    except ImportError:
        return None
    return risk_view(assess(text, spans))


def system_warnings(system: System | None, task: str) -> list[str]:
    """Warnings about sending this task to this system (intended use, health data)."""
    if system is None:
        return ["Choisissez le système d'IA que vous allez utiliser."]
    out: list[str] = []
    if task and not system.allows(task):
        out.append(
            f"La tâche « {task_label(task)} » ne fait pas partie des usages prévus pour « {system.name} ». "
            f"Renseignez-vous auprès de : {system.contact or 'votre DPO'}."
        )
    if not system.health_data_allowed:
        out.append(
            f"« {system.name} » n'est pas autorisé à recevoir des données de santé. Même pseudonymisées, "
            "elles restent des données de santé à caractère personnel : n'envoyez que le strict nécessaire, "
            "ou choisissez un système autorisé par votre établissement."
        )
    return out


def _spans_json(spans: list[Span]) -> list[dict[str, Any]]:
    return [
        {"start": s.start, "end": s.end, "label": s.label, "label_fr": LABEL_FR.get(s.label, s.label)}
        for s in spans
    ]


def analyse(
    detector: Detector, request: str, document: str, system: System | None, task: str
) -> dict[str, Any]:
    """The JSON the write step shows: identifiers per field, counts, risk, checklist, warnings."""
    req_spans = detector.detect(request) if request.strip() else []
    doc_spans = detector.detect(document) if document.strip() else []
    counts = Counter(LABEL_FR.get(s.label, s.label) for s in req_spans + doc_spans)
    # The risk reads both fields as one text, as the AI will.
    joined = request + "\n\n" + document
    shift = len(request) + 2
    all_spans = req_spans + [
        Span(s.start + shift, s.end + shift, s.label, s.score, s.source) for s in doc_spans
    ]
    risk = assess_risk(joined, all_spans) if joined.strip() else None
    return {
        "identifiers": {"request": _spans_json(req_spans), "document": _spans_json(doc_spans)},
        "counts": [{"label_fr": k, "n": n} for k, n in sorted(counts.items())],
        "risk": None
        if risk is None
        else {"level": risk.level, "explanation": risk.explanation, "reasons": risk.reasons},
        "checklist": [
            {"key": i.key, "label": i.label_fr, "present": i.present, "tip": i.tip_fr}
            for i in lint(request, document)
        ],
        "warnings": system_warnings(system, task),
    }
