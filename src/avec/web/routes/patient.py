"""Communiquer: the patient version of a validated text (``/version-patient``) and the patient
information notice.

The text is pasted, or carried over from step 5 ("Valider et préparer la version patient"):
that button records the validation as the usual "Valider" does, then shows this page with
the final text. The text only travels in the form and the page; nothing of it is stored.
The notice is produced only once the professional ticks that they checked the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from avec.communicate import (
    FRENCH_INDICES,
    IssueKind,
    NoticeError,
    PlainLanguageIssue,
    SharedKind,
    build_notice,
    check_plain_language,
)
from avec.communicate.notice import SHARED_KIND_FR
from avec.text import LABEL_FR
from avec.web.flow import Companion, FlowError
from avec.web.routes.pages import _render as render_page
from avec.web.session import session_of

router = APIRouter()

#: How the patient knows the author, as the notice will say it.
PROFESSIONS: tuple[str, ...] = (
    "professionnel de santé",
    "médecin",
    "infirmier ou infirmière",
    "pharmacien ou pharmacienne",
    "sage-femme",
    "kinésithérapeute",
    "travailleur social",
)
_KIND_FR = {
    IssueKind.JARGON: "Mot médical",
    IssueKind.ABBREVIATION: "Sigle",
    IssueKind.LONG_SENTENCE: "Phrase longue",
}


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of the text with the issues that cover it (numbers in the list of issues)."""

    text: str
    word: int | None = None
    word_start: bool = False
    word_end: bool = False
    long: int | None = None


def segments(text: str, issues: tuple[PlainLanguageIssue, ...]) -> list[Segment]:
    """Cut ``text`` at every issue boundary; a piece knows its word issue and its long sentence."""
    numbered = list(enumerate(issues, start=1))
    words = [(n, i) for n, i in numbered if i.kind is not IssueKind.LONG_SENTENCE]
    longs = [(n, i) for n, i in numbered if i.kind is IssueKind.LONG_SENTENCE]
    cuts = sorted({0, len(text), *(i.start for i in issues), *(i.end for i in issues)})
    out: list[Segment] = []
    for a, b in pairwise(cuts):
        if a >= b:
            continue
        word = next(((n, i) for n, i in words if i.start <= a and b <= i.end), None)
        long = next((n for n, i in longs if i.start <= a and b <= i.end), None)
        out.append(
            Segment(
                text[a:b],
                word[0] if word else None,
                bool(word and word[1].start == a),
                bool(word and word[1].end == b),
                long,
            )
        )
    return out


def _companion(request: Request) -> Companion:
    companion: Companion = request.app.state.companion
    return companion


def _page(
    request: Request, form: dict[str, Any], *, notice: bool = False, status_code: int = 200
) -> HTMLResponse:
    text = str(form.get("texte", ""))
    context: dict[str, Any] = {
        "step": 0,
        "nav": "communiquer",
        "form": form,
        "professions": PROFESSIONS,
        "shared_kinds": [(k.value, SHARED_KIND_FR[k]) for k in SharedKind if k is not SharedKind.NONE],
        "indices": FRENCH_INDICES,
        "label_fr": LABEL_FR,
        "kind_fr": _KIND_FR,
        "report": None,
        "notice_html": None,
    }
    limit = _companion(request).settings.max_input_chars
    if len(text) > limit:
        context["error"] = "Texte trop long pour être analysé : découpez-le."
        return render_page(request, "patient.html", context, status_code=422)
    if text.strip():
        report = check_plain_language(text)
        context.update(
            report=report,
            segments=segments(text, report.issues),
            counts={kind: report.count(kind) for kind in IssueKind},
        )
    if notice:
        try:
            built = build_notice(
                task=str(form.get("task") or "autre"),
                shared=[SharedKind(k) for k in form.get("shared", []) if k in SharedKind._value2member_map_],
                replaced_categories=form.get("replaced", []),
                checked=form.get("checked") == "oui",
                on=datetime.now(UTC).date(),
                profession=str(form.get("profession") or PROFESSIONS[0]),
            )
        except NoticeError as exc:
            message = str(exc)
            context["error"] = "Notice non produite : " + message + "."
            status_code = 422
        else:
            context["notice_html"] = Markup(built.as_html())  # escaped by PatientNotice.as_html
            context["notice_text"] = built.as_text()
    return render_page(request, "patient.html", context, status_code=status_code)


@router.get("/version-patient", response_class=HTMLResponse)
def patient_page(request: Request) -> HTMLResponse:
    """An empty form: paste a validated text."""
    return _page(request, {"texte": "", "task": "explication_patient", "shared": ["medical"], "replaced": []})


@router.post("/version-patient", response_class=HTMLResponse)
async def patient_check(request: Request) -> HTMLResponse:
    """Analyse the text; with ``action=notice``, also produce the notice if the text was checked."""
    raw = await request.form()
    form: dict[str, Any] = {k: str(v) for k, v in raw.items() if isinstance(v, str)}
    form["shared"] = [str(v) for v in raw.getlist("shared")]
    form["replaced"] = [str(v) for v in raw.getlist("replaced")]
    if form.get("profession") not in PROFESSIONS:
        form["profession"] = PROFESSIONS[0]
    return _page(request, form, notice=form.get("action") == "notice")


@router.post("/version-patient/valider", response_class=HTMLResponse)
def validate_then_patient(
    request: Request,
    flow_id: Annotated[str, Form()] = "",
    texte_final: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Step 5's "Valider et préparer la version patient": record the validation, carry the text over."""
    companion = _companion(request)
    session = session_of(request)
    stored = companion.store.load(flow_id, session) if flow_id else None
    meta = stored.meta if stored is not None else {}
    rating = int(note) if note.isdigit() else None
    try:
        companion.finish(session, flow_id, "validated", texte_final, rating)
    except FlowError as exc:
        return render_page(request, "error.html", {"step": 0, "error": str(exc)}, status_code=422)
    categories = meta.get("data_categories") or {}
    form = {
        "texte": texte_final,
        "task": str(meta.get("task") or "autre"),
        "shared": ["medical"],
        "replaced": [str(k) for k in categories if k in LABEL_FR],
        "carried": True,
    }
    return _page(request, form)
