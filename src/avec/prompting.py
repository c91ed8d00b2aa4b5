"""Explicitness lint of a request to a GenAI system: context, objective, sources, format, audience.

A vague request gets a vague (or invented) answer. This lint checks, with French cue words on
case- and accent-folded text, whether the request says who asks and in what situation, what is
expected, what to rely on, in what form, and for whom; each missing item comes with a one-line
tip. It is a reminder for the professional, not a score: cues are deliberately broad.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from avec.text import fold


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One explicitness criterion and whether the request meets it.

    Attributes:
        key: ``contexte``, ``objectif``, ``sources``, ``format`` or ``destinataire``.
        label_fr: name shown in the checklist.
        present: whether a cue was found.
        tip_fr: one-line advice, shown when the item is missing.
    """

    key: str
    label_fr: str
    present: bool
    tip_fr: str


@dataclass(frozen=True, slots=True)
class _Criterion:
    key: str
    label_fr: str
    pattern: re.Pattern[str]
    tip_fr: str


def _cues(*alternatives: str) -> re.Pattern[str]:
    # Cues are written without accents: they match fold(text). A cue ending in "*" is a prefix.
    parts = [re.escape(a[:-1]) + r"\w*" if a.endswith("*") else re.escape(a) + r"\b" for a in alternatives]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")")


_CRITERIA: tuple[_Criterion, ...] = (
    _Criterion(
        "contexte",
        "Contexte",
        _cues(
            "je suis",
            "en tant que",
            "contexte",
            "dans le cadre",
            "nous sommes",
            "je travaille",
            "mon service",
            "notre service",
            "service de",
            "en ehpad",
            "a domicile",
            "en consultation",
            "hospitalis*",
            "medecin",
            "infirmi*",
            "pharmacien*",
            "aide-soignant*",
            "assistant* social*",
            "kinesitherapeute",
            "sage-femme",
            "patient* de",
            "patiente",
            "suivi* pour",
            "atteint* de",
        ),
        "Précisez votre rôle et la situation (ex. « Je suis infirmière en EHPAD, la patiente… »).",
    ),
    _Criterion(
        "objectif",
        "Objectif",
        _cues(
            "redige*",
            "rediger",
            "resume*",
            "resumer",
            "explique*",
            "expliquer",
            "propose*",
            "proposer",
            "reformule*",
            "traduis",
            "traduire",
            "liste",
            "lister",
            "compare*",
            "synthetise*",
            "ecris",
            "ecrire",
            "prepare*",
            "aide-moi",
            "aidez-moi",
            "objectif",
            "afin de",
            "pour que",
            "je souhaite",
            "je voudrais",
            "j'aimerais",
            "peux-tu",
            "pouvez-vous",
            "trouve*",
            "identifie*",
            "corrige*",
            "simplifie*",
            "fais",
            "faites",
        ),
        "Dites ce que vous attendez par un verbe d'action (résumer, rédiger, expliquer, comparer…).",
    ),
    _Criterion(
        "sources",
        "Sources",
        _cues(
            "a partir d*",
            "ci-dessous",
            "ci-joint",
            "ci-apres",
            "document",
            "selon",
            "source*",
            "reference*",
            "recommandation*",
            "has",
            "ansm",
            "vidal",
            "rcp",
            "en t'appuyant",
            "en vous appuyant",
            "appuie-toi",
            "uniquement sur",
            "cite*",
            "bibliograph*",
            "pubmed",
            "compte rendu suivant",
            "texte suivant",
        ),
        "Indiquez sur quoi l'IA doit s'appuyer (document, recommandation HAS…) et demandez ses sources.",
    ),
    _Criterion(
        "format",
        "Format attendu",
        _cues(
            "format",
            "liste",
            "tableau",
            "puces",
            "paragraphe*",
            "court*",
            "bref",
            "breve",
            "synthetique",
            "plan",
            "titres",
            "ton",
            "style",
            "vouvoie*",
            "tutoie*",
            "langage simple",
            "mots simples",
            "en francais",
            "lignes",
            "phrases",
            "mots",
            "page",
            "sous forme",
            "structure*",
            "points",
        ),
        "Précisez la forme attendue : longueur, liste ou tableau, ton, niveau de langage.",
    ),
    _Criterion(
        "destinataire",
        "Destinataire",
        _cues(
            "destinataire*",
            "destine*",
            "a l'attention",
            "adresse* a",
            "pour le patient",
            "pour la patiente",
            "pour les patients",
            "pour sa famille",
            "pour la famille",
            "pour les aidants",
            "pour son medecin",
            "medecin traitant",
            "confrere*",
            "consoeur*",
            "collegue*",
            "grand public",
            "lecteur*",
            "famille",
            "aidant*",
            "equipe",
            "tutelle",
            "mdph",
            "caf",
            "employeur",
            "a un enfant",
            "pour un enfant",
        ),
        "Nommez le lecteur final (patient, médecin traitant, famille, administration…).",
    ),
)


def lint(request: str, document: str = "") -> list[ChecklistItem]:
    """Check the explicitness of ``request``.

    Args:
        request: what the professional asks the AI.
        document: the pasted document, if any; providing one satisfies « sources ».

    Returns:
        The five criteria, in a fixed order, each marked present or missing.
    """
    folded = fold(request).replace("’", "'")
    items: list[ChecklistItem] = []
    for c in _CRITERIA:
        present = c.pattern.search(folded) is not None
        if c.key == "sources" and document.strip():
            present = True
        items.append(ChecklistItem(c.key, c.label_fr, present, c.tip_fr))
    return items


def missing(items: list[ChecklistItem]) -> list[ChecklistItem]:
    """The criteria not met, in checklist order."""
    return [i for i in items if not i.present]
