"""Apprendre: the catalogue of GenAI systems (``/catalogue``), its editor, and the needs
questionnaire that ranks the systems with reasons.

Edits are written to the organisation's ``catalog.yaml`` in the data folder, validated by
reading the file back before it replaces the previous one; the companion's list of systems
is then refreshed in place, so the new entry is offered at once.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from avec.apprendre import GRID, QUESTIONS, QuestionnaireError, needs_from_answers, rank_systems
from avec.catalog import TASK_IDS, CatalogError, System, save_catalog
from avec.catalog.loader import FLAG_FIELDS
from avec.text import LABEL_FR
from avec.web.flow import Companion
from avec.web.routes.pages import _render as render_page

router = APIRouter()

_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_REVIEW = re.compile(r"^(à vérifier|vérifié)\s*\((\d{4}-\d{2}-\d{2})\)$")
_MAX_TEXT = 500

#: Conformity fields shown in the list and the editor, with their French labels.
FLAG_LABELS: dict[str, str] = {
    "gdpr_agreement": "Contrat de sous-traitance RGPD signé",
    "hds_hosting": "Hébergement certifié données de santé (HDS)",
    "data_in_eu": "Données traitées dans l'Union européenne",
    "no_training_on_user_data": "Pas d'entraînement des modèles sur vos demandes",
    "environmental_transparency": "Impact environnemental publié par l'éditeur",
}
TEXT_LABELS: dict[str, str] = {
    "provider": "Éditeur",
    "description": "Description (une ligne)",
    "contact": "Point de contact",
    "excluded_uses": "Usages exclus",
    "medical_device": "Statut de dispositif médical et classe",
    "ai_act": "Informations au titre du règlement européen sur l'IA",
    "data_location": "Lieu de traitement et de stockage des données",
    "retention": "Durée de conservation des demandes",
}
#: Default answers of the questionnaire, before the professional changes them.
DEFAULT_ANSWERS = {
    "task": "courrier",
    "health_data": "oui",
    "require_hds": "non",
    "require_eu": "non",
    "refuse_training": "oui",
    "clinical_decision": "non",
    "environment": "1",
}
_SAVED = {
    "enregistre": "Système enregistré dans le catalogue de l'organisation.",
    "supprime": "Système retiré.",
}


class EditorError(ValueError):
    """A field of the editor is invalid (French message)."""


def _companion(request: Request) -> Companion:
    companion: Companion = request.app.state.companion
    return companion


def _refresh(companion: Companion, systems: tuple[System, ...]) -> None:
    """Give the companion the saved catalogue (same dict object, shared with the pages)."""
    current = companion.systems
    if isinstance(current, dict):
        current.clear()
        current.update({s.id: s for s in systems})
    else:  # pragma: no cover - create_app always passes a dict
        companion.systems = {s.id: s for s in systems}


def review_parts(note: str) -> tuple[str, str]:
    """``("à vérifier", "2026-11-29")`` from a review note; today's date when it has none."""
    match = _REVIEW.match(note.strip())
    if match:
        return match.group(1), match.group(2)
    return "à vérifier", datetime.now(UTC).date().isoformat()


def _catalogue_page(request: Request, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    base = {
        "step": 0,
        "nav": "apprendre",
        "flag_labels": FLAG_LABELS,
        "text_labels": TEXT_LABELS,
        "questions": QUESTIONS,
        "grid": GRID,
        "label_fr": LABEL_FR,
        "answers": DEFAULT_ANSWERS,
        "ranking": None,
    }
    return render_page(request, "catalogue.html", {**base, **context}, status_code=status_code)


@router.get("/catalogue", response_class=HTMLResponse)
def catalogue_page(request: Request, enregistre: str = "") -> HTMLResponse:
    """The catalogue, with the needs questionnaire."""
    return _catalogue_page(request, {"saved_message": _SAVED.get(enregistre, "")})


@router.get("/catalogue/classement", response_class=HTMLResponse)
def ranking_page(request: Request) -> HTMLResponse:
    """Rank the catalogue's systems for the answers of the questionnaire (a GET: nothing is stored)."""
    answers = {q.id: request.query_params.get(q.id, "") for q in QUESTIONS}
    try:
        needs = needs_from_answers(answers)
    except QuestionnaireError as exc:
        context = {"answers": {**DEFAULT_ANSWERS, **answers}, "error": str(exc)[0].upper() + str(exc)[1:]}
        return _catalogue_page(request, context, status_code=422)
    ranking = rank_systems(_companion(request).systems.values(), needs)
    return _catalogue_page(request, {"answers": answers, "ranking": ranking})


def _editor(request: Request, system: dict[str, Any], status_code: int = 200, **extra: Any) -> HTMLResponse:
    context = {
        "step": 0,
        "nav": "apprendre",
        "flag_labels": FLAG_LABELS,
        "text_labels": TEXT_LABELS,
        "label_fr": LABEL_FR,
        "s": system,
        **extra,
    }
    return render_page(request, "catalogue_edit.html", context, status_code=status_code)


def _as_form(system: System | None) -> dict[str, Any]:
    if system is None:
        status, day = "à vérifier", datetime.now(UTC).date().isoformat()
        return {
            "new": True,
            "intended_uses": set(),
            "allowed_data_categories": set(),
            "review_status": status,
            "review_date": day,
            "health_data_allowed": False,
        }
    status, day = review_parts(system.review_note)
    data: dict[str, Any] = {name: getattr(system, name) for name in (*TEXT_LABELS, *FLAG_FIELDS)}
    data.update(
        new=False,
        id=system.id,
        name=system.name,
        intended_uses=set(system.intended_uses),
        allowed_data_categories=set(system.allowed_data_categories),
        health_data_allowed=system.health_data_allowed,
        review_status=status,
        review_date=day,
    )
    return data


@router.get("/catalogue/systeme", response_class=HTMLResponse)
def editor_page(request: Request, id: str = "") -> HTMLResponse:
    """The editor: a new system, or the system ``id``."""
    systems = _companion(request).systems
    if id and id not in systems:
        return _editor(request, _as_form(None), 404, error="Système introuvable dans le catalogue.")
    return _editor(request, _as_form(systems.get(id) if id else None))


def _flag(value: str) -> bool | None:
    return {"oui": True, "non": False}.get(value)


def _system_from_form(form: dict[str, Any]) -> System:
    sid = str(form.get("id", "")).strip()
    if not _ID.fullmatch(sid):
        raise EditorError(
            "Identifiant invalide : lettres minuscules sans accent, chiffres, « _ » ou « - » (64 au plus)."
        )
    name = str(form.get("name", "")).strip()
    if not name or len(name) > 120:
        raise EditorError("Donnez un nom au système (120 caractères au plus).")
    uses = set(form["intended_uses"])
    if not uses <= TASK_IDS:
        raise EditorError("Usage prévu inconnu : cochez des tâches de la liste.")
    categories = [c for c in form["allowed_data_categories"] if c in LABEL_FR]
    if len(categories) != len(form["allowed_data_categories"]):
        raise EditorError("Catégorie de données inconnue.")
    texts = {name: " ".join(str(form.get(name, "")).split()) for name in TEXT_LABELS}
    for field, value in texts.items():
        if len(value) > _MAX_TEXT:
            raise EditorError(f"Champ « {TEXT_LABELS[field]} » trop long ({_MAX_TEXT} caractères au plus).")
    status = form.get("review_status", "")
    if status not in ("à vérifier", "vérifié"):
        raise EditorError("Choisissez l'état de la fiche : à vérifier ou vérifiée.")
    try:
        day = date.fromisoformat(str(form.get("review_date", "")))
    except ValueError:
        raise EditorError("Date des informations invalide (AAAA-MM-JJ).") from None
    optional: dict[str, Any] = {**texts, **{f: _flag(str(form.get(f, ""))) for f in FLAG_FIELDS}}
    return System(
        id=sid,
        name=name,
        intended_uses=frozenset(uses),
        health_data_allowed=form.get("health_data_allowed") == "oui",
        review_note=f"{status} ({day.isoformat()})",
        allowed_data_categories=tuple(categories),
        **optional,
    )


@router.post("/catalogue/systeme")
async def save_system(request: Request) -> Response:
    """Add or replace a system, then write the organisation's catalogue file."""
    raw = await request.form()
    form: dict[str, Any] = {k: str(v) for k, v in raw.items() if isinstance(v, str)}
    form["intended_uses"] = [str(v) for v in raw.getlist("intended_uses")]
    form["allowed_data_categories"] = [str(v) for v in raw.getlist("allowed_data_categories")]
    original = form.get("original_id", "")
    companion = _companion(request)
    shown = {
        **form,
        "new": not original,
        "intended_uses": set(form["intended_uses"]),
        "allowed_data_categories": set(form["allowed_data_categories"]),
        "health_data_allowed": form.get("health_data_allowed") == "oui",
        **{f: _flag(form.get(f, "")) for f in FLAG_FIELDS},
    }
    try:
        system = _system_from_form(form)
        if original and original not in companion.systems:
            raise EditorError("Système introuvable dans le catalogue : il a peut-être été retiré.")
        if not original and system.id in companion.systems:
            raise EditorError("Cet identifiant existe déjà : choisissez-en un autre ou modifiez ce système.")
        systems = [s for s in companion.systems.values() if s.id != (original or system.id)]
        position = next((n for n, s in enumerate(companion.systems.values()) if s.id == original), None)
        systems.insert(len(systems) if position is None else position, system)
        saved = save_catalog(request.app.state.settings.data_dir, systems)
    except (EditorError, CatalogError) as exc:
        return _editor(request, shown, 422, error=str(exc))
    except OSError:
        return _editor(request, shown, 500, error="Écriture impossible dans le dossier de données d'AVEC.")
    _refresh(companion, saved)
    return RedirectResponse(f"/catalogue?enregistre=enregistre#systeme-{system.id}", status_code=303)


@router.post("/catalogue/systeme/{system_id}/supprimer")
def delete_system(request: Request, system_id: str, confirm: Annotated[str, Form()] = "") -> Response:
    """Remove a system from the organisation's catalogue (confirmation required)."""
    companion = _companion(request)
    if system_id not in companion.systems:
        return _catalogue_page(request, {"error": "Système introuvable dans le catalogue."}, 404)
    if confirm != "oui":
        system = companion.systems[system_id]
        return _editor(request, _as_form(system), 422, error="Cochez la case de confirmation pour retirer.")
    rest = [s for s in companion.systems.values() if s.id != system_id]
    try:
        saved = save_catalog(request.app.state.settings.data_dir, rest)
    except CatalogError as exc:
        return _catalogue_page(request, {"error": str(exc)}, 422)
    _refresh(companion, saved)
    return RedirectResponse("/catalogue?enregistre=supprime", status_code=303)
