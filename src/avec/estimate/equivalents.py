"""Everyday equivalents of energy, greenhouse-gas emissions and water, as orders of magnitude.

Each reference value names its basis. They are rough: the point is to make a kilowatt-hour
or a gram of CO2e tangible, not to compare precisely.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reference:
    """An everyday quantity used as a yardstick.

    Attributes:
        quantity: ``energy_kwh``, ``gwp_kgco2eq`` or ``water_l``.
        per_unit: how much of ``quantity`` one unit of the yardstick represents.
        unit_fr: French name of one unit (singular), e.g. "recharge de smartphone".
        plural_fr: French plural.
        basis: where the value comes from.
    """

    quantity: str
    per_unit: float
    unit_fr: str
    plural_fr: str
    basis: str


REFERENCES: tuple[Reference, ...] = (
    Reference(
        "energy_kwh", 0.015, "recharge complète de smartphone", "recharges complètes de smartphone",
        "batterie d'environ 4 000 mAh sous 3,85 V, soit environ 15 Wh (calcul AVEC)",
    ),
    Reference(
        "energy_kwh", 0.010, "heure d'ampoule LED de 10 W", "heures d'ampoule LED de 10 W",
        "10 W pendant une heure = 10 Wh (définition)",
    ),
    Reference(
        "gwp_kgco2eq", 0.218, "km en voiture thermique", "km en voiture thermique",
        "environ 218 g CO2e par km, voiture thermique, ADEME « Impact CO2 » (ordre de grandeur)",
    ),
    Reference(
        "water_l", 0.25, "verre d'eau", "verres d'eau", "un verre d'eau = 25 cL (définition)",
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Equivalent:
    """A quantity expressed with an everyday yardstick."""

    quantity: str
    amount: float
    units: float
    text: str
    basis: str


def _number_fr(value: float) -> str:
    if value >= 100:
        shown = f"{value:,.0f}".replace(",", "\u202f")
    elif value >= 10:
        shown = f"{value:.0f}"
    elif value >= 0.1:
        shown = f"{value:.1f}"
    else:
        shown = f"{value:.2g}"
    return shown.replace(".", ",")


def equivalents(quantity: str, amount: float | None) -> list[Equivalent]:
    """Everyday equivalents of ``amount`` of ``quantity`` (empty when unknown or zero)."""
    if amount is None or amount <= 0:
        return []
    out: list[Equivalent] = []
    for ref in REFERENCES:
        if ref.quantity != quantity:
            continue
        units = amount / ref.per_unit
        name = ref.unit_fr if units < 2 else ref.plural_fr
        out.append(Equivalent(quantity, amount, units, f"environ {_number_fr(units)} {name}", ref.basis))
    return out
