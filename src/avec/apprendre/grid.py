"""Evaluation grid of GenAI systems: the criteria an organisation checks before use.

A :class:`SystemProfile` is a catalogue system seen through the grid. Every answer is
``True``, ``False`` or ``None`` (not documented yet): an unknown is never counted as a yes,
and the ranking says it must be checked.

The catalogue's :class:`~avec.catalog.System` may not carry every criterion yet; the adapter
:func:`profile_from_system` reads those it has (under the attribute names listed in
:data:`CATALOG_FIELDS`) and leaves the others unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Criterion(StrEnum):
    """A line of the evaluation grid."""

    HEALTH_DATA = "health_data_allowed"
    HDS_HOSTING = "hds_hosting"
    EU_DATA = "data_in_eu"
    NO_TRAINING = "no_training_on_user_data"
    GDPR_AGREEMENT = "gdpr_agreement"
    ENVIRONMENT = "environmental_transparency"


@dataclass(frozen=True, slots=True)
class GridLine:
    """How a criterion is shown and weighed.

    Attributes:
        criterion: the criterion.
        label: short French label for the grid.
        yes: French reason when the system meets it.
        no: French reason when it does not.
        weight: points out of the grid's total.
    """

    criterion: Criterion
    label: str
    yes: str
    no: str
    weight: float


GRID: tuple[GridLine, ...] = (
    GridLine(
        Criterion.HEALTH_DATA,
        "Données de santé autorisées par l'organisation",
        "votre organisation l'autorise pour des données de santé (pseudonymisées)",
        "votre organisation ne l'autorise pas pour des données de santé",
        25,
    ),
    GridLine(
        Criterion.HDS_HOSTING,
        "Hébergement certifié HDS",
        "hébergement certifié pour les données de santé (HDS)",
        "pas d'hébergement certifié HDS",
        20,
    ),
    GridLine(
        Criterion.EU_DATA,
        "Données traitées dans l'Union européenne",
        "données traitées et stockées dans l'Union européenne",
        "données traitées hors de l'Union européenne",
        15,
    ),
    GridLine(
        Criterion.NO_TRAINING,
        "Pas d'entraînement sur vos données",
        "l'éditeur n'entraîne pas ses modèles avec vos demandes",
        "l'éditeur peut entraîner ses modèles avec vos demandes",
        15,
    ),
    GridLine(
        Criterion.GDPR_AGREEMENT,
        "Contrat de sous-traitance RGPD",
        "un contrat de sous-traitance RGPD est signé",
        "pas de contrat de sous-traitance RGPD",
        15,
    ),
    GridLine(
        Criterion.ENVIRONMENT,
        "Transparence environnementale",
        "l'éditeur publie l'impact environnemental de son service",
        "l'éditeur ne publie pas l'impact environnemental de son service",
        10,
    ),
)

#: Attribute names read on a catalogue system for each criterion, first found wins.
#: ``trains_on_user_data`` is read inverted (True there means False for NO_TRAINING).
CATALOG_FIELDS: dict[Criterion, tuple[str, ...]] = {
    Criterion.HEALTH_DATA: ("health_data_allowed",),
    Criterion.HDS_HOSTING: ("hds_hosting", "hds_certified", "hds"),
    Criterion.EU_DATA: ("data_in_eu", "eu_data"),
    Criterion.NO_TRAINING: ("no_training_on_user_data", "trains_on_user_data"),
    Criterion.GDPR_AGREEMENT: ("gdpr_agreement", "gdpr_dpa", "dpa_signed"),
    Criterion.ENVIRONMENT: ("environmental_transparency",),
}


@dataclass(frozen=True, slots=True)
class SystemProfile:
    """A system as the grid sees it.

    Attributes:
        system_id: catalogue code.
        name: catalogue name.
        intended_uses: task codes the organisation approved it for.
        answers: each criterion's answer (True, False, or None when unknown).
        review_note: provenance of the catalogue entry ("à vérifier (date)").
    """

    system_id: str
    name: str
    intended_uses: frozenset[str]
    answers: dict[Criterion, bool | None]
    review_note: str = ""


def _read(system: Any, names: tuple[str, ...]) -> bool | None:
    for name in names:
        if hasattr(system, name):
            value = getattr(system, name)
            if isinstance(value, bool):
                return not value if name == "trains_on_user_data" else value
            return None
    return None


def profile_from_system(system: Any) -> SystemProfile:
    """The grid's view of a catalogue system (unknown where the catalogue says nothing)."""
    return SystemProfile(
        system_id=str(system.id),
        name=str(system.name),
        intended_uses=frozenset(getattr(system, "intended_uses", frozenset())),
        answers={c: _read(system, names) for c, names in CATALOG_FIELDS.items()},
        review_note=str(getattr(system, "review_note", "")),
    )
