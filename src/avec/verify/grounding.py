"""Grounding: values and drugs of an answer that the source it was written from does not contain.

Only meaningful when the AI was given a source (a report to summarise, a letter to write from). Values
are compared after normalisation: ``1,5`` = ``1.5``, ``1 g`` = ``1000 mg``, ``13/01/2026`` =
``13 janvier 2026``; a drug is grounded when the source names it, by the same name, its INN or a brand
of the same substance (same ATC code).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from avec.text import FRENCH_MONTHS, fold
from avec.verify.dosing import attach
from avec.verify.drugs import DrugMention, find_mentions
from avec.verify.findings import Finding, FindingType, Severity
from avec.verify.quantities import Quantity, convert, dimension, find_quantities, parse_number

_MONTHS = {fold(name): i for i, name in enumerate(FRENCH_MONTHS, start=1)}
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?(?![\d/-]|[.,]\d)")
_TEXT_DATE = re.compile(
    r"(?<!\d)(\d{1,2})(?:er)?\s+(" + "|".join(_MONTHS) + r")(?:\s+(\d{4}))?(?!\d)", re.IGNORECASE
)
_DURATION = re.compile(
    r"(?<![\d,.])(\d+(?:[.,]\d+)?)\s*(jours?|j|semaines?|sem|mois|ans?|heures?|h|nuits?)(?![\w/])",
    re.IGNORECASE,
)
_SCORE = re.compile(r"(?<![\d/.,])(\d+(?:[.,]\d+)?)\s*/\s*(\d+)(?![\d/]|[.,]\d)")
_DURATION_UNIT = {
    "jour": "j",
    "jours": "j",
    "j": "j",
    "nuit": "j",
    "nuits": "j",
    "semaine": "sem",
    "semaines": "sem",
    "sem": "sem",
    "mois": "mois",
    "an": "an",
    "ans": "an",
    "heure": "h",
    "heures": "h",
    "h": "h",
}


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    year = int(raw)
    return year + 2000 if year < 100 else year


def _facts(text: str, quantities: list[Quantity]) -> Iterator[tuple[int, int, Hashable]]:
    """Each checkable value of ``text``: its span and a normalised key."""
    # One byte per character, set where a value was read: "is this span free?" is one C-level find.
    taken = bytearray(len(text))

    def take(start: int, end: int) -> None:
        taken[start:end] = b"\x01" * (end - start)

    def free(start: int, end: int) -> bool:
        return taken.find(1, start, end) < 0

    folded = fold(text)
    for m in _NUMERIC_DATE.finditer(text):
        day, month = int(m.group(1)), int(m.group(2))
        if 1 <= day <= 31 and 1 <= month <= 12 and (m.group(3) or "/" in m.group(0)):
            if m.group(3) is None and text[m.end() : m.end() + 1].isdigit():
                continue
            take(*m.span())
            yield m.start(), m.end(), ("date", day, month, _year(m.group(3)))
    for m in _TEXT_DATE.finditer(folded):
        take(*m.span())
        yield m.start(), m.end(), ("date", int(m.group(1)), _MONTHS[m.group(2).lower()], _year(m.group(3)))
    for q in quantities:
        if not free(q.start, q.end):
            continue
        take(q.start, q.end)
        value, unit = q.value, q.unit
        if dimension(unit) == "mass":
            value, unit = convert(value, unit, "mg") or value, "mg"
        elif unit in ("mmol", "µmol"):
            value, unit = (value / 1000 if unit == "µmol" else value), "mmol"
        yield q.start, q.end, ("qty", unit, q.per, round(value, 6))
    for m in _DURATION.finditer(text):
        if not free(*m.span()):
            continue
        take(*m.span())
        yield m.start(), m.end(), ("dur", _DURATION_UNIT[m.group(2).lower()], parse_number(m.group(1)))
    for m in _SCORE.finditer(text):
        if not free(*m.span()):
            continue
        yield m.start(), m.end(), ("score", parse_number(m.group(1)), int(m.group(2)))


def _matches(key: Hashable, source_keys: AbstractSet[Hashable]) -> bool:
    if key in source_keys:
        return True
    # A date written without its year matches the same day and month in the source, and vice versa.
    if isinstance(key, tuple) and key[0] == "date":
        return any(
            isinstance(k, tuple) and k[0] == "date" and k[1:3] == key[1:3] and None in (k[3], key[3])
            for k in source_keys
        )
    return False


def _doses_by_drug(
    text: str, mentions: list[DrugMention], quantities: list[Quantity]
) -> dict[int, DrugMention]:
    """Start offset of each dose -> the drug it belongs to."""
    return {q.start: drug for drug, q in attach(text, mentions, quantities)}


@dataclass(frozen=True)
class SourceIndex:
    """A source document analysed once: its values and its drugs, shared by every check and answer.

    The gateway builds it while the upstream model is still writing, so that checking the answer
    only has the answer left to read. It holds the source text: keep it no longer than the request.
    """

    text: str
    facts: tuple[tuple[int, int, Hashable], ...]
    keys: frozenset[Hashable]
    mentions: tuple[DrugMention, ...]
    drug_of: dict[int, DrugMention]


def index_source(source: str) -> SourceIndex:
    """Analyse ``source`` for the grounding checks."""
    quantities = find_quantities(source)  # read once, for the values and for the doses
    facts = tuple(_facts(source, quantities))
    mentions = find_mentions(source)
    keys = frozenset(k for _, _, k in facts)
    return SourceIndex(source, facts, keys, tuple(mentions), _doses_by_drug(source, mentions, quantities))


def _indexed(source: str | SourceIndex | None) -> SourceIndex | None:
    if isinstance(source, SourceIndex):
        return source if source.text else None
    return index_source(source) if source else None


def check_numbers(
    answer: str, source: str | SourceIndex | None = None, *, mentions: list[DrugMention] | None = None
) -> list[Finding]:
    """``UNGROUNDED_NUMBER`` for each value, date, score or duration of ``answer`` missing from ``source``.

    A dose is compared with the doses of the same drug in the source when the source gives any (so
    that "amlodipine 10 mg" is caught even if another drug of the source is dosed at 10 mg).
    """
    index = _indexed(source)
    if index is None:
        return []
    source_facts, source_keys, source_drug_of = index.facts, index.keys, index.drug_of
    quantities = find_quantities(answer)
    answer_drug_of = _doses_by_drug(
        answer, mentions if mentions is not None else find_mentions(answer), quantities
    )
    findings: list[Finding] = []
    for start, end, key in _facts(answer, quantities):
        drug = answer_drug_of.get(start)
        same = [
            k
            for s, _, k in source_facts
            if drug and s in source_drug_of and _same_drug(drug, source_drug_of[s])
        ]
        if _matches(key, set(same) if same else source_keys):
            continue
        shown = answer[start:end]
        findings.append(
            Finding(
                start,
                end,
                FindingType.UNGROUNDED_NUMBER,
                Severity.WARNING,
                f"« {shown} » ne figure pas dans le document source : valeur modifiée ou inventée ?",
                "Comparer avec le document source et corriger la valeur si besoin.",
            )
        )
    return sorted(findings, key=lambda f: f.start)


def _same_drug(a: DrugMention, b: DrugMention) -> bool:
    if a.entry is None or b.entry is None:
        return fold(a.text) == fold(b.text)
    if a.entry.key == b.entry.key or (a.entry.inn and a.entry.inn in (b.entry.inn, b.entry.key)):
        return True
    if b.entry.inn and b.entry.inn == a.entry.key:
        return True
    substance = {c for c in a.entry.atc if len(c) == 7}
    return bool(substance & b.entry.atc)


def ungrounded_drugs(
    answer: str, source: str | SourceIndex | None, mentions: list[DrugMention] | None = None
) -> list[DrugMention]:
    """Known drugs of ``answer`` that ``source`` does not name (empty without a source)."""
    index = _indexed(source)
    if index is None:
        return []
    in_answer = mentions if mentions is not None else find_mentions(answer)
    in_source = index.mentions
    return [m for m in in_answer if m.known and not any(_same_drug(m, s) for s in in_source)]


def check_drugs_grounded(
    answer: str, source: str | SourceIndex | None = None, *, mentions: list[DrugMention] | None = None
) -> list[Finding]:
    """``UNGROUNDED_DRUG`` for each drug of ``answer`` that ``source`` does not mention."""
    return [
        Finding(
            m.start,
            m.end,
            FindingType.UNGROUNDED_DRUG,
            Severity.ERROR,
            f"« {m.text} » n'apparaît pas dans le document source : médicament ajouté ou substitué ?",
            "Vérifier dans le document source si ce médicament fait bien partie du traitement.",
        )
        for m in ungrounded_drugs(answer, source, mentions)
    ]
