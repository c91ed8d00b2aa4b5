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
    """

    id: str
    name: str
    intended_uses: frozenset[str]
    health_data_allowed: bool
    contact: str
    review_note: str = ""
    description: str = ""

    def allows(self, task_id: str) -> bool:
        """Whether ``task_id`` is one of the intended uses."""
        return task_id in self.intended_uses
