"""Tasks and GenAI systems as the companion presents them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Task:
    """A type of work the professional asks an AI to help with."""

    id: str
    label_fr: str


#: The tasks offered in the companion, in display order.
TASKS: tuple[Task, ...] = (
    Task("resume_cr", "Résumé de compte rendu"),
    Task("courrier", "Courrier"),
    Task("explication_patient", "Explication au patient"),
    Task("recherche_biblio", "Recherche bibliographique"),
    Task("redaction_admin", "Rédaction administrative"),
    Task("autre", "Autre"),
)

TASK_IDS: frozenset[str] = frozenset(t.id for t in TASKS)


def task_label(task_id: str) -> str:
    """French label of a task id (the id itself when unknown)."""
    return next((t.label_fr for t in TASKS if t.id == task_id), task_id)


@dataclass(frozen=True, slots=True)
class System:
    """A GenAI system of the catalogue.

    Attributes:
        id: short code stored in the journal.
        name: name shown to the professional.
        intended_uses: task ids the system is meant (or approved) for.
        health_data_allowed: whether the organisation allows it to receive health data
            (pseudonymized health data is still personal health data).
        contact: whom to ask about this system (DPO, IT, publisher).
        review_note: provenance of the entry, e.g. "à vérifier (2026-11-29)".
        description: one line shown under the choice.
        provider: publisher of the system.
        excluded_uses: uses the organisation excludes, in French (free text).
        medical_device: medical-device status and class ("non", "DM classe IIa"...).
        ai_act: what the publisher states under the European AI Act.
        gdpr_agreement: a GDPR processing agreement is signed (None: not documented).
        hds_hosting: hosted by a certified health-data host (HDS).
        data_in_eu: data processed and stored in the European Union.
        data_location: where the data are processed and stored, in words.
        retention: how long requests are kept, in words.
        no_training_on_user_data: the publisher does not train its models on requests.
        environmental_transparency: the publisher publishes its environmental impact.
        allowed_data_categories: identifier labels (``NOM``, ``DATE``...) the organisation
            lets reach this system unreplaced; empty means every identifier is replaced.
    """

    id: str
    name: str
    intended_uses: frozenset[str]
    health_data_allowed: bool
    contact: str
    review_note: str = ""
    description: str = ""
    provider: str = ""
    excluded_uses: str = ""
    medical_device: str = ""
    ai_act: str = ""
    gdpr_agreement: bool | None = None
    hds_hosting: bool | None = None
    data_in_eu: bool | None = None
    data_location: str = ""
    retention: str = ""
    no_training_on_user_data: bool | None = None
    environmental_transparency: bool | None = None
    allowed_data_categories: tuple[str, ...] = ()

    def allows(self, task_id: str) -> bool:
        """Whether ``task_id`` is one of the intended uses."""
        return task_id in self.intended_uses
