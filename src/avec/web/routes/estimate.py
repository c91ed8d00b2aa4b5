"""Estimer: the dashboard (``/tableau-de-bord``), objectives, AI-error reports, shared lessons and
the team report download.

Everything shown comes from the journal, which holds no identifying text; the one free text
(a shared lesson) is screened for identifiers by the companion's detection pipeline before it
is stored. Forms post, then redirect back to the dashboard of the same period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from avec.catalog import TASK_IDS, task_label
from avec.estimate import (
    DETECTED_BY,
    ERROR_CATEGORIES,
    SEVERITIES,
    DashboardFigures,
    ErrorReport,
    Metric,
    Objective,
    ObjectiveError,
    Register,
    RegisterError,
    Snapshot,
    build_team_report,
    dashboard,
    evaluate,
    load_snapshot,
    period_bounds,
    render_csv,
    render_html,
    render_pdf,
)
from avec.estimate.objectives import METRIC_FR
from avec.text import LABEL_FR
from avec.web.charts import Chart, bar_chart, line_chart, number_fr
from avec.web.findings import finding_title
from avec.web.flow import Companion
from avec.web.routes.pages import _render as render_page

router = APIRouter()

DEFAULT_DAYS = 30
_SAVED = {
    "objectif": "Objectif enregistré.",
    "objectif_retire": "Objectif retiré du suivi.",
    "erreur": "Erreur de l'IA signalée. Merci : elle figurera dans le registre du rapport d'équipe.",
    "lecon": "Leçon partagée avec l'équipe.",
}
_SHARE_METRICS = (Metric.CORRECTION_RATIO_MAX, Metric.AI_FREE_SHARE_MIN, Metric.VALIDATED_SHARE_MIN)
_SOURCE_FR = {"compagnon": "Compagnon (copier-coller)", "passerelle": "Passerelle (API)"}


class PeriodError(ValueError):
    """The requested period is not valid (French message)."""


def _companion(request: Request) -> Companion:
    companion: Companion = request.app.state.companion
    return companion


def _register(request: Request) -> Register:
    companion = _companion(request)
    return Register(request.app.state.engine, screen=lambda text: bool(companion.detector().detect(text)))


def _period(du: str, au: str, today: date | None = None) -> tuple[date, date]:
    today = today or datetime.now(UTC).date()
    try:
        last = date.fromisoformat(au) if au else today
        first = date.fromisoformat(du) if du else last - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError:
        raise PeriodError("Date invalide : choisissez une date dans le calendrier (AAAA-MM-JJ).") from None
    if last < first:
        raise PeriodError("La date de fin précède la date de début.")
    if (last - first).days > 3660:
        raise PeriodError("Période trop longue : dix ans au plus.")
    return first, last


def _back(first: date, last: str | date, saved: str) -> RedirectResponse:
    query = urlencode({"du": str(first), "au": str(last), "enregistre": saved})
    return RedirectResponse(f"/tableau-de-bord?{query}#messages", status_code=303)


def _percent(value: float) -> str:
    return number_fr(value * 100, 1) + "\u202f%"


def _minutes(seconds: float) -> str:
    return number_fr(seconds / 60, 1) + "\u202fmin"


def _weekly_footprint(snapshot: Snapshot) -> list[tuple[str, float | None]]:
    """Cumulated CO2e (grams) at the end of each week of the period."""
    by_week: dict[date, float] = {}
    for u in snapshot.uses:
        if u.gwp_kgco2eq is not None:
            day = u.at.date()
            monday = day - timedelta(days=day.weekday())
            by_week[monday] = by_week.get(monday, 0.0) + u.gwp_kgco2eq * 1000
    start = snapshot.start.date()
    week = start - timedelta(days=start.weekday())
    last = (snapshot.end - timedelta(microseconds=1)).date()
    total, points = 0.0, list[tuple[str, float | None]]()
    while week <= last:
        total += by_week.get(week, 0.0)
        points.append((week.strftime("%d/%m"), total))
        week += timedelta(days=7)
    return points


def charts(figures: DashboardFigures, snapshot: Snapshot, system_names: dict[str, str]) -> list[Chart]:
    """Every chart of the dashboard, in page order."""
    count = number_fr
    correction = [(p.week.strftime("%d/%m"), p.value) for p in figures.correction_by_week]
    ratings = [(p.week.strftime("%d/%m"), p.value) for p in figures.rating_by_week]
    top_ratio = max([v for _, v in correction if v is not None] + [0.25])
    footprint = _weekly_footprint(snapshot)
    return [
        bar_chart(
            "taches",
            "Usages par tâche",
            [(task_label(k), v) for k, v in figures.uses_by_task.items()],
            count,
            headers=("Tâche", "Usages"),
        ),
        bar_chart(
            "systemes",
            "Usages par système d'IA",
            [(system_names.get(k, k), v) for k, v in figures.uses_by_system.items()],
            count,
            headers=("Système", "Usages"),
        ),
        line_chart(
            "correction",
            "Taux de correction moyen par semaine (réponses validées)",
            correction,
            _percent,
            y_max=min(1.0, top_ratio * 1.2),
            headers=("Semaine du", "Taux de correction"),
        ),
        line_chart(
            "facilite",
            "Facilité d'usage moyenne par semaine (1 à 5)",
            ratings,
            lambda v: number_fr(v, 1),
            y_max=5.0,
            headers=("Semaine du", "Facilité (sur 5)"),
        ),
        bar_chart(
            "temps",
            "Temps passé par tâche",
            [(task_label(k), v) for k, v in figures.time_by_task_seconds.items()],
            _minutes,
            headers=("Tâche", "Temps passé"),
        ),
        bar_chart(
            "sans-ia",
            "Tâches faites avec et sans IA",
            [("Avec une IA", float(figures.uses)), ("Sans IA", float(figures.ai_free_tasks))]
            if figures.uses or figures.ai_free_tasks
            else [],
            count,
            headers=("Pratique", "Tâches"),
        ),
        bar_chart(
            "points",
            "Points de vérification relevés, par type",
            [(finding_title(k), v) for k, v in figures.findings_by_type.items()],
            count,
            headers=("Type de point", "Nombre"),
        ),
        bar_chart(
            "remplaces",
            "Identifiants remplacés, par catégorie",
            [(LABEL_FR.get(k, k), v) for k, v in figures.replaced_by_category.items()],
            count,
            headers=("Catégorie", "Remplacés"),
        ),
        bar_chart(
            "bloques",
            "Identifiants bloqués par la passerelle, par catégorie",
            [(LABEL_FR.get(k, k), v) for k, v in figures.blocked_by_category.items()],
            count,
            headers=("Catégorie", "Bloqués"),
        ),
        line_chart(
            "empreinte",
            "Émissions cumulées des requêtes mesurées (g CO2e)",
            footprint if figures.footprint.measured_requests else [],
            lambda v: number_fr(v, 2),
            y_max=max([v or 0.0 for _, v in footprint] + [0.01]) * 1.1,
            headers=("Fin de la semaine du", "Cumul (g CO2e)"),
        ),
    ]


def _page(request: Request, first: date, last: date, saved: str = "", **extra: Any) -> HTMLResponse:
    companion = _companion(request)
    start, end = period_bounds(first, last)
    snapshot = load_snapshot(request.app.state.engine, start, end)
    figures = dashboard(snapshot)
    register = _register(request)
    names = {s.id: s.name for s in companion.systems.values()}
    context = {
        "step": 0,
        "nav": "estimer",
        "first": first,
        "last": last,
        "figures": figures,
        "charts": charts(figures, snapshot, names),
        "progress": [evaluate(o, snapshot) for o in register.objectives()],
        "errors": register.errors(start, end)[-20:],
        "lessons": register.lessons(start, end)[-20:],
        "system_names": names,
        "metrics": [(m.value, METRIC_FR[m][0], METRIC_FR[m][1]) for m in Metric],
        "categories": ERROR_CATEGORIES,
        "severities": SEVERITIES,
        "detected_by": DETECTED_BY,
        "saved_message": _SAVED.get(saved, ""),
        "fmt_percent": _percent,
        "fmt_minutes": _minutes,
        "number_fr": number_fr,
        "form": {},
        **extra,
    }
    return render_page(request, "dashboard.html", context, status_code=422 if extra.get("error") else 200)


@router.get("/tableau-de-bord", response_class=HTMLResponse)
def dashboard_page(request: Request, du: str = "", au: str = "", enregistre: str = "") -> HTMLResponse:
    """The dashboard of a period (the last 30 days by default)."""
    try:
        first, last = _period(du, au)
    except PeriodError as exc:
        first, last = _period("", "")
        return _page(request, first, last, error=str(exc))
    return _page(request, first, last, enregistre)


def _target(raw: str, metric: Metric) -> float:
    try:
        value = float(raw.replace(",", ".").replace("%", "").strip())
    except ValueError:
        raise ObjectiveError("Cible invalide : écrivez un nombre, par exemple 15.") from None
    return value / 100 if metric in _SHARE_METRICS else value


@router.post("/tableau-de-bord/objectif")
def add_objective(
    request: Request,
    metric: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
    task: Annotated[str, Form()] = "",
    baseline_minutes: Annotated[str, Form()] = "",
    du: Annotated[str, Form()] = "",
    au: Annotated[str, Form()] = "",
) -> Response:
    """Follow a new objective of the organisation."""
    first, last = _period_or_default(du, au)
    form = {"metric": metric, "target": target, "task": task, "baseline_minutes": baseline_minutes}
    try:
        try:
            chosen = Metric(metric)
        except ValueError:
            raise ObjectiveError("Choisissez un indicateur dans la liste.") from None
        if task and task not in TASK_IDS:
            raise ObjectiveError("Choisissez une tâche dans la liste.")
        baseline = _target(baseline_minutes, Metric.TIME_SAVED_PER_WEEK_MIN) if baseline_minutes else None
        objective = Objective(chosen, _target(target, chosen), task or None, baseline_minutes=baseline)
        _register(request).add_objective(objective)
    except (ObjectiveError, RegisterError) as exc:
        return _page(request, first, last, error=_sentence(str(exc)), form=form)
    return _back(first, last, "objectif")


@router.post("/tableau-de-bord/objectif/{objective_id}/retirer")
def remove_objective(
    request: Request,
    objective_id: int,
    du: Annotated[str, Form()] = "",
    au: Annotated[str, Form()] = "",
) -> Response:
    """Stop following an objective (kept in the database for history)."""
    first, last = _period_or_default(du, au)
    if not _register(request).deactivate_objective(objective_id):
        return _page(request, first, last, error="Objectif introuvable.")
    return _back(first, last, "objectif_retire")


@router.post("/tableau-de-bord/erreur")
def report_error(
    request: Request,
    system_id: Annotated[str, Form()] = "",
    task: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    severity: Annotated[str, Form()] = "",
    detected_by: Annotated[str, Form()] = "relecture",
    reached_patient: Annotated[str, Form()] = "",
    du: Annotated[str, Form()] = "",
    au: Annotated[str, Form()] = "",
) -> Response:
    """Record a wrong or dangerous AI answer in the register (codes only)."""
    first, last = _period_or_default(du, au)
    try:
        if system_id not in _companion(request).systems:
            raise RegisterError("Choisissez le système d'IA dans la liste.")
        if task not in TASK_IDS:
            raise RegisterError("Choisissez la tâche dans la liste.")
        report = ErrorReport(system_id, task, category, severity, detected_by, reached_patient == "oui")
        _register(request).report_error(report)
    except RegisterError as exc:
        return _page(request, first, last, error=_sentence(str(exc)))
    return _back(first, last, "erreur")


@router.post("/tableau-de-bord/lecon")
def share_lesson(
    request: Request,
    lesson: Annotated[str, Form(max_length=2000)] = "",
    task: Annotated[str, Form()] = "",
    du: Annotated[str, Form()] = "",
    au: Annotated[str, Form()] = "",
) -> Response:
    """Share a general lesson with the team, refused if it looks identifying."""
    first, last = _period_or_default(du, au)
    try:
        if task and task not in TASK_IDS:
            raise RegisterError("Choisissez la tâche dans la liste.")
        _register(request).share_lesson(lesson, task=task or None)
    except RegisterError as exc:
        # The refused text is not sent back: it may hold an identifier.
        return _page(request, first, last, error=_sentence(str(exc)))
    return _back(first, last, "lecon")


_MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


@router.get("/tableau-de-bord/rapport", response_model=None)
def team_report(request: Request, du: str = "", au: str = "", format: str = "html") -> Response:
    """The team report of the period, to download (HTML, PDF or CSV)."""
    if format not in _MEDIA:
        first, last = _period_or_default(du, au)
        return _page(request, first, last, error="Format inconnu : choisissez HTML, PDF ou CSV.")
    try:
        first, last = _period(du, au)
    except PeriodError as exc:
        first, last = _period("", "")
        return _page(request, first, last, error=str(exc))
    report = build_team_report(
        request.app.state.engine, first, last, catalog=list(_companion(request).systems.values())
    )
    body: bytes
    if format == "pdf":
        body = render_pdf(report)
    else:
        body = (render_html(report) if format == "html" else render_csv(report)).encode("utf-8")
    name = f"rapport-avec-{first.isoformat()}-{last.isoformat()}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=_MEDIA[format], headers=headers)


def _period_or_default(du: str, au: str) -> tuple[date, date]:
    try:
        return _period(du, au)
    except PeriodError:
        return _period("", "")


def _sentence(message: str) -> str:
    """A library message ("cible invalide") as a sentence ("Cible invalide.")."""
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."
