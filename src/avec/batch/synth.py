"""Synthetic French clinical notes for batch tests and benchmarks (fictitious people only).

Values come from faker's ``fr_FR`` providers with a fixed seed, so a set is reproducible and
never contains a real patient. The notes mix direct identifiers (names, dates, phones, NIR,
e-mails, addresses) with clinical content that must survive protection (drugs, doses, eponyms).
"""

from __future__ import annotations

import random

from faker import Faker

_TEMPLATES: tuple[str, ...] = (
    "Compte rendu de consultation du {date}.\nMme {first} {LAST}, née le {birth}, adressée par le "
    "Dr {doctor} pour une HTA. Traitement : amlodipine 5 mg le matin. Tél : {phone}.",
    "Lettre de liaison : M. {LAST} {first}, {age} ans, hospitalisé du {date} au {date2} au {hospital}. "
    "Sortie avec paracétamol 1 g x 3/j. Contact : {mail}.",
    "Patient {first} {LAST} (NIR {nir}) demeurant {address}. Maladie de Parkinson suivie par le "
    "Pr {doctor}. Lévodopa 100 mg 4 fois par jour.",
    "Suivi infirmier à domicile le {date} chez Mme {LAST}, {address}. Glycémie 1,32 g/L, "
    "insuline glargine 18 UI le soir. Appeler sa fille au {phone} si besoin.",
    "Synthèse sociale : M. {first} {LAST}, né le {birth}, vit seul à {city}. Demande d'APA en cours. "
    "Référente : {first2} {LAST2}, assistante sociale, {mail}.",
    "Ordonnance du Dr {doctor} ({city}), {date} : metformine 850 mg matin et soir, "
    "contrôle HbA1c dans 3 mois. Patient : {LAST} {first}.",
)


class NoteGenerator:
    """Reproducible fictitious notes.

    Args:
        seed: the same seed gives the same sequence of notes.
    """

    def __init__(self, seed: int = 0) -> None:
        self._fake = Faker("fr_FR")
        self._fake.seed_instance(seed)
        self._rng = random.Random(seed)

    def _date(self) -> str:
        return self._fake.date_between("-3y", "today").strftime("%d/%m/%Y")

    def note(self) -> str:
        """One note built from a random template."""
        f = self._fake
        template = self._rng.choice(_TEMPLATES)
        return template.format(
            first=f.first_name(),
            first2=f.first_name(),
            LAST=f.last_name().upper(),
            LAST2=f.last_name().upper(),
            doctor=f.last_name(),
            date=self._date(),
            date2=self._date(),
            birth=f.date_of_birth(minimum_age=18, maximum_age=95).strftime("%d/%m/%Y"),
            age=self._rng.randint(18, 95),
            phone=f.phone_number(),
            mail=f.email(),
            nir=f.ssn(),
            address=f.street_address(),
            city=f.city(),
            hospital=f"CHU de {f.city()}",
        )

    def documents(self, count: int, prefix: str = "doc") -> list[dict[str, str]]:
        """``count`` documents as ``{"id", "text"}`` rows with ids ``prefix-0``, ``prefix-1``..."""
        return [{"id": f"{prefix}-{i}", "text": self.note()} for i in range(count)]
