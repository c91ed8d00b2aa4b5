"""Patient information notice: an AI tool helped, for what, with which data, checked by whom.

The notice is written for patients: short sentences, everyday words. It names kinds of
data only (categories), never any value, and it is only produced once the professional has
checked the result — AVEC never lets a notice say otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from html import escape

from avec.text import LABEL_FR


class SharedKind(StrEnum):
    """Kinds of information that may have been sent to the AI tool (after pseudonymisation)."""

    MEDICAL = "medical"
    TREATMENT = "traitement"
    SOCIAL = "social"
    ADMINISTRATIVE = "administratif"
    NONE = "aucune"


#: How each kind is told to a patient.
SHARED_KIND_FR: dict[SharedKind, str] = {
    SharedKind.MEDICAL: "des informations médicales (signes, examens, résultats)",
    SharedKind.TREATMENT: "des informations sur vos traitements",
    SharedKind.SOCIAL: "des informations sur votre situation de vie (aide, logement, entourage)",
    SharedKind.ADMINISTRATIVE: "des informations administratives, sans votre identité",
    SharedKind.NONE: "aucune information sur vous",
}

#: What the AI helped with, per companion task, in words a patient understands.
TASK_FR: dict[str, str] = {
    "resume_cr": "résumer un compte rendu",
    "courrier": "préparer un courrier",
    "explication_patient": "préparer des explications pour vous",
    "recherche_biblio": "rechercher des publications scientifiques",
    "redaction_admin": "préparer un document administratif",
    "autre": "aider à écrire un document",
}


class NoticeError(ValueError):
    """A notice cannot be produced (the reason is in French)."""


@dataclass(frozen=True, slots=True)
class PatientNotice:
    """A notice ready to hand to a patient."""

    title: str
    paragraphs: tuple[str, ...]

    def as_text(self) -> str:
        """Plain text, paragraphs separated by a blank line."""
        return "\n\n".join((self.title, *self.paragraphs)) + "\n"

    def as_html(self) -> str:
        """A small HTML fragment (escaped), for the web page or a print-out."""
        body = "".join(f"<p>{escape(p)}</p>" for p in self.paragraphs)
        return f'<section class="avec-notice"><h2>{escape(self.title)}</h2>{body}</section>'


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def build_notice(
    *,
    task: str,
    shared: Iterable[SharedKind],
    replaced_categories: Iterable[str] = (),
    checked: bool,
    on: date | None = None,
    profession: str = "professionnel de santé",
) -> PatientNotice:
    """The information notice for one document made with the help of an AI tool.

    Args:
        task: companion task code (``courrier``, ``resume_cr``...).
        shared: kinds of information sent to the AI tool.
        replaced_categories: identifier labels (``NOM``, ``DATE_NAISSANCE``...) that AVEC
            replaced by fictitious values before sending; labels only, never values.
        checked: whether the professional read and corrected the result; must be True.
        on: date of the document, shown as a date only.
        profession: how the patient knows the author ("médecin", "infirmière"...).

    Raises:
        NoticeError: the result was not checked, or an unknown data label was given.
    """
    if not checked:
        raise NoticeError("la notice n'est possible qu'après relecture du résultat par le professionnel")
    kinds = [SharedKind(k) for k in shared] or [SharedKind.NONE]
    if SharedKind.NONE in kinds and len(kinds) > 1:
        kinds = [k for k in kinds if k is not SharedKind.NONE]
    labels = list(dict.fromkeys(replaced_categories))
    unknown = [lab for lab in labels if lab not in LABEL_FR]
    if unknown:
        raise NoticeError("catégorie de données inconnue : utilisez les étiquettes d'AVEC (NOM, DATE...)")
    when = f" le {on.strftime('%d/%m/%Y')}" if on is not None else ""
    paragraphs = [
        f"Votre {profession} a utilisé un outil d'intelligence artificielle (IA) pour "
        f"{TASK_FR.get(task, TASK_FR['autre'])}{when}.",
        f"L'outil a reçu {_join([SHARED_KIND_FR[k] for k in kinds])}.",
    ]
    if labels:
        paragraphs.append(
            "Avant l'envoi, les informations qui permettent de vous reconnaître ont été "
            f"remplacées par des informations inventées : {_join([LABEL_FR[lab] for lab in labels])}. "
            "L'outil ne connaît donc pas votre identité."
        )
    else:
        paragraphs.append("Aucune information qui permet de vous reconnaître n'a été envoyée à l'outil.")
    paragraphs += [
        f"Votre {profession} a relu le résultat et l'a corrigé si besoin. "
        f"C'est votre {profession} qui en est responsable, pas l'outil.",
        "L'outil ne décide rien pour vous. Il ne pose pas de diagnostic. Il ne choisit pas votre traitement.",
        f"Vous avez une question ? Parlez-en à votre {profession}.",
    ]
    return PatientNotice(
        "Un outil d'intelligence artificielle a aidé à préparer ce document", tuple(paragraphs)
    )
