"""Multi-turn reveal cases shared by the protect and gateway tests (fake values).

Surrogates nested in other surrogates, as the leak campaign drew them (an e-mail surrogate holding
a name surrogate, an address holding a first name, a NIR holding a postcode), and the people and
detection rules of campaign-like conversations.
"""

from __future__ import annotations

import re

from avec.protect.vault import Vault

FILLER = (
    "Merci d'envoyer une copie du compte rendu complet, avec les résultats biologiques du jour et "
    "la liste des traitements en cours, "
)

NESTED = [
    ("henri.riviere@tele2.fr", "eleonore.hubert@free.fr", "MAIL"),
    ("Rivière", "Mercier", "NOM"),
    ("7 boulevard Emmanuel Morvan", "29, avenue Lefort", "ADRESSE"),
    ("Emmanuel", "Olivie", "PRENOM"),
    ("2 13 05 58 229 493 17", "2 53 11 08 105 972 28", "SECU"),
    ("58229", "25000", "ZIP"),
]
NESTED_ANSWER = (
    f"Réponse : {FILLER}à henri.riviere@tele2.fr (M. Rivière). {FILLER}à l'adresse 7 boulevard "
    f"Emmanuel Morvan. {FILLER}NIR 2 13 05 58 229 493 17, code 58229, Emmanuel Rivière."
)
NESTED_EXPECTED = (
    f"Réponse : {FILLER}à eleonore.hubert@free.fr (M. Mercier). {FILLER}à l'adresse 29, avenue "
    f"Lefort. {FILLER}NIR 2 53 11 08 105 972 28, code 25000, Olivie Mercier."
)


def nested_vault() -> Vault:
    """A vault holding the :data:`NESTED` mappings."""
    vault = Vault(3600)
    for surrogate, original, label in NESTED:
        vault.add(surrogate, original, label)
    return vault


# --- campaign-like conversations: one new person per turn --------------------------------------

PEOPLE = [
    ("Maëlys", "Quéméner", "Mme"), ("Henri", "Rivière", "M."), ("Célina", "Pascal", "Mme"),
    ("Édouard", "Aubert", "M."), ("Thérèse", "Chauvet", "Mme"), ("Paul", "Duval", "M."),
    ("Marcelle", "Guichard", "Mme"), ("Roger", "Delahaye", "M."), ("Olivie", "Vidal", "Mme"),
    ("Vincent", "Verdier", "M."),
]  # fmt: skip
NIRS = ["2 54 03 75 112 345 11", "1 62 11 44 109 271 05", "2 48 02 75 115 007 52", "173127654064822"]
STREETS = ["12, rue Barre", "7 avenue Klein", "115, boulevard Chauveau", "29, impasse Lefort"]
ZIPS = ["44000", "35000", "69003", "29200"]
PHONES = ["06 12 34 56 78", "+33 2 98 76 54 32", "02.97.03.84.40", "0611223344"]
RULES = [
    ("MAIL", r"\b[\w.\-]+@[\w.]+\.(?:fr|net|com)\b"),
    ("SECU", r"\b[12] ?\d\d ?\d\d ?\d\d ?\d{3} ?\d{3} ?\d\d\b"),
    ("TEL", r"(?:\+33 |\b0)\d(?:[ .]?\d\d){4}\b"),
    ("ADRESSE", r"\b\d{1,3},? (?:rue|avenue|boulevard|impasse) [A-ZÉ][\w\-]+"),
    ("DATE_NAISSANCE", r"\b\d\d/\d\d/\d{4}\b"),
    ("ZIP", r"\b\d{5}\b"),
    ("PRENOM", "|".join(rf"\b{re.escape(f)}\b" for f, _, _ in PEOPLE)),
    ("NOM", "|".join(rf"\b{re.escape(n)}\b" for _, n, _ in PEOPLE)),
]
