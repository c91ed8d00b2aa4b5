"""French quantities in an answer: amounts with units, how often they are taken, and the daily dose.

Handles ``75 µg``, ``75 mcg``, ``75 microgrammes``, ``0,4 mL``, ``100 000 UI``, ``1 à 2 cp``,
``2 x 500 mg``, ``1 g x 3/j``, ``500 mg matin et soir``, ``trois fois par jour``, ``toutes les 8 heures``,
``matin, midi et soir``, ``mg/kg/j``. Conversions go through pint once the decimal comma is replaced;
``UI`` is its own dimension (a mass in mg can never become a number of units).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pint

_NUM = r"\d+(?:[\u00a0\u202f ]\d{3})*(?:[.,]\d+)?"
_UNIT_WORDS: dict[str, str] = {
    "mg": "mg",
    "milligramme": "mg",
    "milligrammes": "mg",
    "g": "g",
    "gramme": "g",
    "grammes": "g",
    "µg": "µg",
    "μg": "µg",
    "mcg": "µg",
    "ug": "µg",
    "microgramme": "µg",
    "microgrammes": "µg",
    "ui": "UI",
    "u.i.": "UI",
    "unité": "UI",
    "unités": "UI",
    "unites": "UI",
    "unite": "UI",
    "ml": "mL",
    "l": "L",
    "dl": "dL",
    "mmol": "mmol",
    "µmol": "µmol",
    "μmol": "µmol",
    "cp": "cp",
    "comprimé": "cp",
    "comprimés": "cp",
    "gélule": "cp",
    "gélules": "cp",
    "sachet": "sachet",
    "sachets": "sachet",
    "goutte": "goutte",
    "gouttes": "goutte",
    "bouffée": "bouffée",
    "bouffées": "bouffée",
    "ampoule": "ampoule",
    "ampoules": "ampoule",
    "%": "%",
}
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in _UNIT_WORDS), key=len, reverse=True))
_QUANTITY = re.compile(
    rf"(?<![\w,.])(?:(?P<mult>\d+)\s*[x×]\s*)?(?P<value>{_NUM})(?:\s*(?:à|-|–)\s*(?P<high>{_NUM}))?\s*"
    rf"(?P<unit>{_UNIT_ALT})(?P<per>(?:\s*/\s*(?:kg|m2|m²|24\s*h|j|jour|d?L|l|min|h|prise))*)"
    r"(?![\wµμ])",
    re.IGNORECASE,
)
_COUNT = {"une": 1, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "huit": 8, "dix": 10}
_COUNT_ALT = "|".join(_COUNT) + r"|\d+"
_FREQUENCIES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\s*[x×*]\s*(?P<n>\d+)\s*(?:/\s*(?:j|jour|24\s*h)\b)?", re.I), "times"),
    (re.compile(rf",?\s*(?P<n>{_COUNT_ALT})\s*fois\s*(?:par|/)\s*(?:j\b|jour|24\s*h)", re.I), "times"),
    (re.compile(rf",?\s*(?P<n>{_COUNT_ALT})\s*fois\s*par\s*semaine", re.I), "week"),
    (re.compile(r",?\s*(?:le\s+)?matin\s*,?\s*(?:le\s+)?midi\s*,?\s*(?:et\s+)?(?:le\s+)?soir", re.I), "3"),
    (re.compile(r",?\s*(?:le\s+)?(?:matin|midi)\s*(?:et|,)\s*(?:le\s+)?(?:soir|midi)", re.I), "2"),
    (re.compile(r",?\s*toutes\s+les\s+(?P<n>\d+)\s*(?:heures|h)\b", re.I), "every"),
    (re.compile(r",?\s*(?:en\s+)?(?:prise|dose)\s+unique|,?\s*(?:en\s+)?dose\s+de\s+charge", re.I), "single"),
    (re.compile(r",?\s*(?:le|au)\s+(?:matin|midi|soir|coucher|petit-déjeuner)|,?\s*par\s+jour", re.I), "1"),
]


@dataclass(frozen=True, slots=True)
class Quantity:
    """An amount with its unit at ``[start, end)``, and how often it is taken.

    Attributes:
        value: the amount (upper bound of a range, times a leading ``2 x`` multiplier).
        unit: normalised unit (``mg``, ``g``, ``µg``, ``UI``, ``mL``, ``cp``...).
        per: what the unit is divided by, normalised (``""``, ``"j"``, ``"kg/j"``, ``"L"``...).
        freq_end: end of the frequency that follows (``end`` when there is none).
        per_day: intakes per day, when a frequency says so (``None`` when unknown).
        single: ``True`` for ``en prise unique`` / ``dose de charge``.
    """

    start: int
    end: int
    value: float
    unit: str
    per: str
    freq_end: int
    per_day: float | None
    single: bool = False

    @property
    def is_dose(self) -> bool:
        """An amount given to a patient (not a lab concentration such as ``mg/L``)."""
        return not any(p in ("L", "dL", "min") for p in self.per.split("/"))

    @property
    def is_weight_based(self) -> bool:
        """``mg/kg``-style doses cannot be checked without the patient's weight."""
        return "kg" in self.per.split("/") or "m2" in self.per.split("/")

    def daily(self) -> float | None:
        """Amount per day in ``unit``, or ``None`` when unknown."""
        if "j" in self.per.split("/"):
            return self.value
        if self.per_day is None:
            return None
        return self.value * self.per_day


def parse_number(text: str) -> float:
    """``"1 000,5"`` -> ``1000.5``: spaces are thousands separators, the comma is decimal."""
    return float(re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", "."))


def _per(raw: str) -> str:
    parts = [p.strip().lower() for p in raw.split("/") if p.strip()]
    norm = {"jour": "j", "24 h": "j", "24h": "j", "dl": "dL", "l": "L", "m²": "m2"}
    return "/".join(norm.get(p, p) for p in parts)


def _frequency(text: str, pos: int) -> tuple[int, float | None, bool]:
    for pattern, kind in _FREQUENCIES:
        m = pattern.match(text, pos)
        if m is None:
            continue
        if kind == "single":
            return m.end(), 1.0, True
        if kind in ("times", "week", "every"):
            raw = m.group("n").lower()
            n = float(_COUNT.get(raw, 0) or int(raw))
            if n <= 0:
                continue
            per_day = n if kind == "times" else n / 7 if kind == "week" else 24 / n
            return m.end(), per_day, False
        return m.end(), float(kind), False
    return pos, None, False


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity of ``text`` with the frequency right after it, in order."""
    found: list[Quantity] = []
    for m in _QUANTITY.finditer(text):
        unit = _UNIT_WORDS.get(m.group("unit").lower(), m.group("unit"))
        value = parse_number(m.group("high") or m.group("value"))
        if m.group("mult"):
            value *= int(m.group("mult"))
        freq_end, per_day, single = _frequency(text, m.end())
        found.append(
            Quantity(m.start(), m.end(), value, unit, _per(m.group("per")), freq_end, per_day, single)
        )
    return found


@lru_cache(maxsize=1)
def unit_registry() -> pint.UnitRegistry[float]:
    """A pint registry knowing ``UI`` (own dimension) and ``j`` (day); built once."""
    ureg: pint.UnitRegistry[float] = pint.UnitRegistry()
    ureg.define("UI = [international_unit]")
    ureg.define("j = day")
    return ureg


_PINT_NAMES = {"mg": "milligram", "g": "gram", "µg": "microgram", "UI": "UI", "mL": "milliliter"}


@lru_cache(maxsize=64)
def _factor(unit: str, target: str) -> float | None:
    # Dose units are all multiplicative: one conversion per pair of units, asked of pint once,
    # instead of a pint quantity per value read (the checks read dozens per answer).
    ureg = unit_registry()
    try:
        return float(ureg.Quantity(1.0, _PINT_NAMES[unit]).to(_PINT_NAMES[target]).magnitude)
    except pint.DimensionalityError:
        return None


def convert(value: float, unit: str, target: str) -> float | None:
    """``value unit`` expressed in ``target``, or ``None`` when the dimensions differ."""
    if unit not in _PINT_NAMES or target not in _PINT_NAMES:
        return None
    factor = _factor(unit, target)
    return None if factor is None else value * factor


def dimension(unit: str) -> str | None:
    """``mass``, ``iu`` or ``volume`` for a dose unit, ``None`` for counts (cp, gouttes...)."""
    return {"mg": "mass", "g": "mass", "µg": "mass", "UI": "iu", "mL": "volume"}.get(unit)
