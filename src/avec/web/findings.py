"""Verification findings as the companion shows them: French titles, guide key, inline marks.

``avec.verify`` is called through :func:`default_verifier`, which returns None when the module
is not installed; the page then says that no automatic check ran, instead of implying the
answer is clean.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: ``verify(answer, source) -> findings``; each finding has start, end, type, severity, message.
Verifier = Callable[[str, str | None], Sequence[object]]

_TITLES: dict[str, str] = {
    "DOSE_OVER_MAX": "Dose journalière au-delà du maximum usuel",
    "UNIT_ERROR": "Unité ou ordre de grandeur impossible",
    "UNKNOWN_DRUG": "Médicament inconnu",
    "MISSPELLED_DRUG": "Nom de médicament probablement mal orthographié",
    "UNGROUNDED_NUMBER": "Valeur absente du document fourni",
    "UNGROUNDED_DRUG": "Médicament absent du document fourni",
    "CITATION_MALFORMED": "Référence mal formée",
    "CITATION_INCOMPLETE": "Référence incomplète",
    "CITATION_OUTDATED": "Référence ancienne",
}

# What the HAS guide asks the professional to check, per family of finding.
_GUIDE: dict[str, str] = {
    "DOSE": "valeurs et unités des quantités chiffrées",
    "UNIT": "valeurs et unités des quantités chiffrées",
    "DRUG": "noms des médicaments",
    "UNGROUNDED": "considérer chaque contenu généré comme une proposition à contrôler",
    "CITATION": "sources : titre, source, date de publication, résumé",
}

_SEVERITY_FR = {"error": "importante", "warning": "à vérifier", "info": "pour information"}


@dataclass(frozen=True, slots=True)
class FindingView:
    """One finding ready for the page.

    Attributes:
        number: 1-based, used for the mark and the list anchor.
        start: offset in the restored answer.
        end: offset just past the finding.
        type: finding code (``DOSE_OVER_MAX``...), also what the journal counts.
        title: French title.
        message: French explanation from the check.
        suggestion: proposed correction, if any.
        severity: French severity wording.
        guide_key: A.V.E.C. key the check serves (always « Vérifier » here).
        guide_point: what the guide asks to check.
    """

    number: int
    start: int
    end: int
    type: str
    title: str
    message: str
    suggestion: str
    severity: str
    guide_key: str
    guide_point: str


def default_verifier() -> Verifier | None:
    """``avec.verify.verify`` when that module is installed, else None."""
    # Looked up by name: the verification package may be absent or still without its entry point.
    try:
        module = importlib.import_module("avec.verify")
    except ImportError:
        return None
    verify = getattr(module, "verify", None)
    if not callable(verify):
        return None

    def run(answer: str, source: str | None) -> Sequence[object]:
        found: list[object] = list(verify(answer, source=source))
        if source:
            found += _copied_from_source(found, verify(answer))
        return found

    return run


@dataclass(frozen=True, slots=True)
class _Copied:
    """A dose or unit problem that the answer copied from the document."""

    start: int
    end: int
    type: str
    severity: str
    message: str
    suggestion: str


# With a source, ``verify`` leaves out dose and unit problems the answer copied faithfully (the AI
# did not introduce them). The professional validates the final text, so they are shown anyway.
_ALWAYS = frozenset({"DOSE_OVER_MAX", "UNIT_ERROR"})


def _copied_from_source(found: Sequence[object], without_source: Sequence[object]) -> list[object]:
    seen = {(getattr(f, "start", None), getattr(f, "end", None), str(getattr(f, "type", ""))) for f in found}
    extra: list[object] = []
    for f in without_source:
        kind = str(getattr(f, "type", ""))
        key = (getattr(f, "start", None), getattr(f, "end", None), kind)
        if kind in _ALWAYS and key not in seen:
            message = str(getattr(f, "message", "") or "")
            extra.append(
                _Copied(
                    int(getattr(f, "start", 0)),
                    int(getattr(f, "end", 0)),
                    kind,
                    str(getattr(f, "severity", "") or ""),
                    message
                    + " Cette valeur figure déjà dans le document fourni : vérifiez-la aussi à la source.",
                    str(getattr(f, "suggestion", "") or ""),
                )
            )
    return extra


def finding_title(kind: str) -> str:
    """French title of a finding type (for pages and the history)."""
    return _TITLES.get(kind, "Point à vérifier")


def _guide_point(kind: str) -> str:
    for prefix, point in _GUIDE.items():
        if prefix in kind:
            return point
    return "considérer chaque contenu généré comme une proposition à contrôler"


def to_views(findings: Sequence[object], answer_length: int) -> list[FindingView]:
    """Convert check results (any object with the Finding attributes) into views, by position."""
    views: list[FindingView] = []
    rows = sorted(findings, key=lambda f: (int(getattr(f, "start", 0)), int(getattr(f, "end", 0))))
    for number, f in enumerate(rows, start=1):
        start = max(0, min(int(getattr(f, "start", 0)), answer_length))
        end = max(start, min(int(getattr(f, "end", start)), answer_length))
        kind = str(getattr(f, "type", "AUTRE"))
        message = getattr(f, "message", None) or getattr(f, "message_fr", None) or ""
        severity = str(getattr(f, "severity", "") or "")
        views.append(
            FindingView(
                number=number,
                start=start,
                end=end,
                type=kind,
                title=finding_title(kind),
                message=str(message),
                suggestion=str(getattr(f, "suggestion", None) or ""),
                severity=_SEVERITY_FR.get(severity.lower(), severity or "à vérifier"),
                guide_key="Vérifier",
                guide_point=_guide_point(kind),
            )
        )
    return views


def counts(views: Sequence[FindingView]) -> dict[str, int]:
    """Findings per type, for the journal."""
    return dict(Counter(v.type for v in views))


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of the answer, marked with a finding number or plain (``number`` None)."""

    text: str
    number: int | None = None


def segments(answer: str, views: Sequence[FindingView]) -> list[Segment]:
    """Split ``answer`` into plain and marked pieces; an overlapping finding is listed, not marked."""
    out: list[Segment] = []
    cursor = 0
    for v in views:
        if v.start < cursor or v.end <= v.start:
            continue
        if v.start > cursor:
            out.append(Segment(answer[cursor : v.start]))
        out.append(Segment(answer[v.start : v.end], v.number))
        cursor = v.end
    if cursor < len(answer):
        out.append(Segment(answer[cursor:]))
    return out
