"""Surrogates nested in other surrogates, as the leak campaign drew them (fake values).

Shared by the protect and gateway tests of multi-turn reveal: an e-mail surrogate holding a name
surrogate, an address holding a first name, a NIR holding a postcode.
"""

from __future__ import annotations

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
