"""Server-rendered pages of the A.V.E.C. flow, in French.

1-2 choose and write (``/``), 3 protect (``/proteger``), 4 paste the answer (``/reponse``),
5 validate (``/valider``), 6 history (``/historique``); plus « tâche faite sans IA ».
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from avec.catalog import TASKS, task_label
from avec.journal import Outcome
from avec.text import LABEL_FR
from avec.web.findings import finding_title, segments
from avec.web.flow import Companion, FlowError
from avec.web.session import session_of

router = APIRouter()

_OUTCOME_FR = {
    Outcome.VALIDATED: "validée",
    Outcome.REJECTED: "rejetée",
    Outcome.ABANDONED: "abandonnée",
}


def _companion(request: Request) -> Companion:
    companion: Companion = request.app.state.companion
    return companion


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    base = {
        "systems": list(_companion(request).systems.values()),
        "tasks": TASKS,
        "task_label": task_label,
        "label_fr": LABEL_FR,
        "outcome_fr": _OUTCOME_FR,
        "finding_title": finding_title,
        "percent": _percent,
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def _percent(ratio: float) -> str:
    """``0.125`` as ``12,5 %`` (French decimal comma, narrow no-break space)."""
    return f"{ratio * 100:.1f}".replace(".", ",") + "\u202f%"


def _started(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    """Steps 1 and 2: choose the system and task, write the request and document."""
    return _render(request, "index.html", {"step": 1, "started_at": f"{time.time():.0f}", "form": {}})


@router.post("/proteger", response_class=HTMLResponse)
def protect_page(
    request: Request,
    system_id: Annotated[str, Form()] = "",
    task: Annotated[str, Form()] = "",
    demande: Annotated[str, Form()] = "",
    document: Annotated[str, Form()] = "",
    started_at: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Step 3: the protected text to copy, and the form to paste the answer."""
    companion = _companion(request)
    try:
        result = companion.protect(
            session_of(request), system_id, task, demande, document, _started(started_at)
        )
    except FlowError as exc:
        form = {"system_id": system_id, "task": task, "demande": demande, "document": document}
        context = {"step": 2, "started_at": started_at, "form": form, "error": str(exc)}
        return _render(request, "index.html", context, status_code=422)
    system = companion.systems[system_id]
    context = {"step": 3, "result": result, "system": system, "task": task}
    return _render(request, "protected.html", context)


@router.post("/reponse", response_class=HTMLResponse)
def answer_page(
    request: Request,
    flow_id: Annotated[str, Form()] = "",
    reponse: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Steps 4 and 5: the restored answer with findings marked, and the validation form."""
    companion = _companion(request)
    session = session_of(request)
    try:
        result = companion.reveal(session, flow_id, reponse)
    except FlowError as exc:
        try:
            protected = companion.protected_text(session, flow_id)
        except FlowError:
            return _render(request, "error.html", {"step": 0, "error": str(exc)}, status_code=404)
        context = {"step": 4, "flow_id": flow_id, "protected": protected, "error": str(exc)}
        return _render(request, "paste_again.html", context, status_code=422)
    context = {
        "step": 4,
        "result": result,
        "segments": segments(result.answer, result.findings),
    }
    return _render(request, "answer.html", context)


@router.post("/valider")
def finish_page(
    request: Request,
    flow_id: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    texte_final: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Step 5: record validate / reject / abandon, then show the history."""
    rating = int(note) if note.isdigit() else None
    try:
        _companion(request).finish(session_of(request), flow_id, outcome, texte_final, rating)
    except FlowError as exc:
        return _render(request, "error.html", {"step": 0, "error": str(exc)}, status_code=422)
    return RedirectResponse(f"/historique?enregistre={outcome}", status_code=303)


@router.post("/sans-ia")
def ai_free_page(request: Request, task: Annotated[str, Form()] = "") -> Response:
    """Record a task done without AI."""
    try:
        _companion(request).ai_free(task)
    except FlowError as exc:
        return _render(request, "error.html", {"step": 0, "error": str(exc)}, status_code=422)
    return RedirectResponse("/historique?enregistre=sans_ia", status_code=303)


@router.get("/historique", response_class=HTMLResponse)
def history_page(request: Request, enregistre: str = "") -> HTMLResponse:
    """Step 6: past interactions and AI-free tasks, without any identifying text."""
    entries = _companion(request).journal.history(limit=100)
    done = [e for e in entries if e.kind == "interaction"]
    ratios = [e.correction_ratio for e in done if e.correction_ratio is not None]
    summary = {
        "interactions": len(done),
        "validated": sum(1 for e in done if e.outcome is Outcome.VALIDATED),
        "ai_free": sum(1 for e in entries if e.kind == "sans_ia"),
        "mean_correction": sum(ratios) / len(ratios) if ratios else None,
        "findings": sum(sum(e.finding_counts.values()) for e in done),
    }
    saved = {"validated", "rejected", "abandoned", "sans_ia"}
    context = {
        "step": 6,
        "entries": entries,
        "summary": summary,
        "saved": enregistre if enregistre in saved else "",
    }
    return _render(request, "history.html", context)


@router.get("/a-propos", response_class=HTMLResponse)
def about_page(request: Request) -> HTMLResponse:
    """Intended purpose, what is recorded, and what is not."""
    return _render(request, "about.html", {"step": 0})
