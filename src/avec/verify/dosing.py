"""Dose plausibility: a unit impossible for the drug (``UNIT_ERROR``) or a daily dose above the usual adult
maximum (``DOSE_OVER_MAX``), from the sourced table ``avec/data/verify/dose_limits.csv``.

A dose exactly at the maximum is not reported. Weight-based doses (``mg/kg/j``) and counts of tablets are
not judged: the patient's weight or the strength would be needed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from avec.text import fold
from avec.verify.drugs import DrugMention, find_mentions
from avec.verify.findings import Finding, FindingType, Severity
from avec.verify.lexicon import get_lexicon
from avec.verify.quantities import Quantity, convert, dimension, find_quantities

# What may stand between a drug name and its dose: "X 20 mg", "X : 20 mg", "X, 20 mg", "X (LP) 20 mg".
_GAP = re.compile(r"[^.;\n\d]{0,30}")
_UNIT_FR = {"mass": "en masse (mg, µg, g)", "iu": "en unités (UI)", "volume": "en volume (mL)"}
_RELATIVE_SLACK = 1e-9


@dataclass(frozen=True, slots=True)
class DoseLimit:
    """One row of the table: expected units and usual adult bounds, in ``unit``."""

    inn: str
    allowed: frozenset[str]
    unit: str
    max_daily: float | None
    min_single: float | None
    max_single: float | None
    iu_per_mg: float | None
    source: str


def _float(raw: str) -> float | None:
    return float(raw) if raw.strip() else None


@lru_cache(maxsize=1)
def dose_limits() -> dict[str, DoseLimit]:
    """The table, keyed by folded INN and by the ATC codes of that INN; read once."""
    text = (resources.files("avec") / "data" / "verify" / "dose_limits.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    lex = get_lexicon()
    table: dict[str, DoseLimit] = {}
    for row in csv.DictReader(lines):
        limit = DoseLimit(
            inn=row["inn"],
            allowed=frozenset(row["allowed"].split()),
            unit=row["unit"],
            max_daily=_float(row["max_daily"]),
            min_single=_float(row["min_single"]),
            max_single=_float(row["max_single"]),
            iu_per_mg=_float(row["iu_per_mg"]),
            source=row["source"],
        )
        table[fold(row["inn"])] = limit
        entry = lex.get(row["inn"])
        for code in entry.atc if entry else ():
            if len(code) == 7:
                table.setdefault(code, limit)
    return table


def limit_for(mention: DrugMention) -> DoseLimit | None:
    """The table row for a known drug (by INN, then by a substance-level ATC code)."""
    if mention.entry is None:
        return None
    table = dose_limits()
    for key in (mention.entry.inn, mention.entry.key):
        if key and key in table:
            return table[key]
    if mention.entry.key.startswith("insuline"):
        return table.get("insuline humaine")
    codes = sorted(c for c in mention.entry.atc if len(c) == 7 and c in table)
    return table[codes[0]] if len(codes) == 1 else None


def attach(
    text: str, mentions: list[DrugMention], quantities: list[Quantity]
) -> list[tuple[DrugMention, Quantity]]:
    """Pair each dose with the drug written just before it in the same clause."""
    pairs: list[tuple[DrugMention, Quantity]] = []
    for q in quantities:
        if not q.is_dose:
            continue
        before = [m for m in mentions if m.end <= q.start]
        if not before:
            continue
        drug = before[-1]
        if _GAP.fullmatch(text, drug.end, q.start) and not (
            q.start - drug.end > 3 and "-" in text[drug.end : q.start]
        ):
            pairs.append((drug, q))
    return pairs


def _to_table_unit(q: Quantity, limit: DoseLimit, value: float) -> float | None:
    converted = convert(value, q.unit, limit.unit)
    if converted is not None or limit.iu_per_mg is None:
        return converted
    # Mass <-> units for drugs labelled both ways (enoxaparin: 100 UI = 1 mg).
    if q.unit == "UI":
        mg = value / limit.iu_per_mg
        return convert(mg, "mg", limit.unit)
    mg_value = convert(value, q.unit, "mg")
    return None if mg_value is None else mg_value * limit.iu_per_mg


def _unit_error(text: str, drug: DrugMention, q: Quantity, limit: DoseLimit) -> Finding | None:
    dim = dimension(q.unit)
    name = drug.entry.display if drug.entry else drug.text
    expected = " ou ".join(_UNIT_FR[d] for d in sorted(limit.allowed))
    shown = text[q.start : q.end]
    if dim is not None and dim not in limit.allowed:
        return Finding(
            q.start,
            q.end,
            FindingType.UNIT_ERROR,
            Severity.ERROR,
            f"« {shown} » : {name} ne se dose pas ainsi ; dose attendue {expected}.",
            f"Vérifier l'unité (attendu : {limit.unit}). Source : {limit.source}",
        )
    amount = _to_table_unit(q, limit, q.value)
    if amount is None:
        return None
    ceiling = limit.max_single or limit.max_daily
    too_big = ceiling is not None and amount > 10 * ceiling
    too_small = limit.min_single is not None and amount < limit.min_single / 10
    if not (too_big or too_small):
        return None
    scale = "mille fois" if (too_big and ceiling and amount >= 500 * ceiling) else "très"
    return Finding(
        q.start,
        q.end,
        FindingType.UNIT_ERROR,
        Severity.ERROR,
        f"« {shown} » est {scale} {'au-dessus' if too_big else 'en dessous'} de toute dose de {name} : "
        f"erreur d'unité probable (dose usuelle en {limit.unit}).",
        f"Vérifier l'unité : {name} se dose habituellement en {limit.unit}. Source : {limit.source}",
    )


def _fmt(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _over_max(text: str, drug: DrugMention, q: Quantity, limit: DoseLimit) -> Finding | None:
    if limit.max_daily is None or q.single or q.is_weight_based or dimension(q.unit) is None:
        return None
    daily = q.daily()
    if daily is None:
        daily = q.value  # no frequency written: one intake already above the daily maximum counts
    amount = _to_table_unit(q, limit, daily)
    if amount is None or amount <= limit.max_daily * (1 + _RELATIVE_SLACK):
        return None
    name = drug.entry.display if drug.entry else drug.text
    return Finding(
        q.start,
        q.freq_end,
        FindingType.DOSE_OVER_MAX,
        Severity.ERROR,
        f"« {text[q.start : q.freq_end]} » fait {_fmt(amount)} {limit.unit} de {name} par jour, au-dessus "
        f"du maximum usuel chez l'adulte ({_fmt(limit.max_daily)} {limit.unit}/j).",
        f"Vérifier la posologie (maximum usuel {_fmt(limit.max_daily)} {limit.unit}/j ; adapter à l'âge, "
        f"au poids et à la fonction rénale). Source : {limit.source}",
    )


def check_doses(
    answer: str,
    source: str | None = None,
    *,
    mentions: list[DrugMention] | None = None,
    skip: frozenset[int] = frozenset(),
) -> list[Finding]:
    """``UNIT_ERROR`` and ``DOSE_OVER_MAX`` findings for the doses of ``answer``.

    Args:
        answer: the generated text.
        source: unused (doses are judged against the table).
        mentions: drug mentions already found in ``answer``.
        skip: start offsets of drug mentions not to judge (e.g. drugs absent from the source, whose
            dose belongs to another drug).
    """
    del source
    found = mentions if mentions is not None else find_mentions(answer)
    findings: list[Finding] = []
    for drug, q in attach(answer, found, find_quantities(answer)):
        if drug.start in skip:
            continue
        limit = limit_for(drug)
        if limit is None:
            continue
        finding = _unit_error(answer, drug, q, limit) or _over_max(answer, drug, q, limit)
        if finding is not None:
            findings.append(finding)
    return findings
