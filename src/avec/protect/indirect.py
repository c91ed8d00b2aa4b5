"""Indirect identifiers: details that, combined, can single a person out (quasi-identifiers).

The HAS guide asks professionals to remove "information d'identification directe ou
indirecte". Direct identifiers are redacted by the detectors; this module only *reports* what
remains — a profession, a precise age, a rare disease, a small place, a publicised event, a family
detail, an origin — and scores how far their combination narrows the group of people they fit
(k-anonymity reasoning). Nothing is removed: a rare disease or an age is clinical content the
answer may need; the professional decides what to generalise.

Matching runs on :func:`avec.text.fold` output (same length as the text), so offsets map back
directly and quickly typed prompts without accents match too. Explanations never quote the text,
so a report can be logged or stored without identifying content.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from importlib.resources import files

from avec.text import LABEL_FR, Span, fold


class Category(StrEnum):
    """Families of quasi-identifiers."""

    PROFESSION = "profession"
    AGE = "âge"
    MALADIE_RARE = "maladie rare"
    PETIT_LIEU = "petit lieu"
    EVENEMENT = "événement daté ou médiatisé"
    FAMILLE = "situation familiale"
    ORIGINE = "nationalité ou origine"


class RiskLevel(StrEnum):
    """Re-identification risk left after direct identifiers are redacted."""

    FAIBLE = "faible"
    MODERE = "modéré"
    ELEVE = "élevé"


@dataclass(frozen=True, slots=True)
class QuasiIdentifier:
    """One detail of the text that narrows down who the person is.

    Attributes:
        start: first character offset in the text.
        end: offset just past the last character.
        category: family of the detail.
        weight: 1 for a detail many people share, 2 for a rare or distinctive one.
        explanation_fr: why it matters and how to generalise it (never quotes the text).
    """

    start: int
    end: int
    category: Category
    weight: int
    explanation_fr: str

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"position invalide : [{self.start}, {self.end})")
        if self.weight not in (1, 2):
            raise ValueError(f"poids invalide : {self.weight}")


@dataclass(frozen=True, slots=True)
class IndirectRisk:
    """The indirect-identification report of one text.

    Attributes:
        level: overall risk.
        quasi_identifiers: details found, sorted by position.
        direct_counts: redacted direct identifiers, by label.
        explanation_fr: why this level, in French, for the professional.
    """

    level: RiskLevel
    quasi_identifiers: tuple[QuasiIdentifier, ...]
    direct_counts: dict[str, int] = field(default_factory=dict)
    explanation_fr: str = ""

    @property
    def categories(self) -> set[Category]:
        """Distinct categories present."""
        return {q.category for q in self.quasi_identifiers}


@dataclass(frozen=True, slots=True)
class Rule:
    """A pattern on folded text that yields one category of quasi-identifier.

    ``weigh`` returns the weight of a match, or None to reject it (context the pattern cannot
    express, such as "depuis 3 ans" being a duration, not an age).
    """

    category: Category
    pattern: re.Pattern[str]
    explanation_fr: str
    weigh: Callable[[str, re.Match[str]], int | None] = lambda _text, _m: 1  # a common detail


def _alt(words: Iterable[str]) -> str:
    """A regex alternation of folded words, longest first so that longer names win."""
    return "|".join(re.escape(fold(w)) for w in sorted(words, key=len, reverse=True))


def _rx(body: str) -> re.Pattern[str]:
    # Word boundaries that also work after/before apostrophes and hyphens.
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")


# --- professions ------------------------------------------------------------------------------
# Word lists (trades, notable roles, nationalities) live in data/protect/indirect_cues.txt.
_TRADE_CUE = (
    r"ancien|ancienne|retraite|retraitee|ex-|de profession|profession\s*:|exerce comme"
    r"|exercait comme|travaille comme|travaillait comme|en tant que|metier de"
)
_PROFESSION_EXPL = (
    "Profession ou fonction : combinée à l'âge ou au lieu, elle réduit fortement le nombre de "
    "personnes possibles. Préférez une catégorie large (« ancien artisan », « retraité »)."
)
_NOTABLE_EXPL = (
    "Fonction publique, médiatique ou rare : elle désigne très peu de personnes, souvent une "
    "seule dans une commune. Supprimez-la si elle n'est pas utile à la demande."
)

# --- ages --------------------------------------------------------------------------------------
_DURATION_BEFORE = re.compile(
    r"(?:depuis|il y a|pendant|durant|tous les|toutes les|dans|apres|avant|plus de|moins de"
    r"|pres de|sur|en|ces|les|des|aux|quelques|de plus de)\s+(?:environ\s+)?$"
)
_AGE_EXPL = (
    "Âge précis : avec le lieu ou la profession, il peut suffire à reconnaître la personne. "
    "Préférez une tranche d'âge (« entre 80 et 90 ans »)."
)
_OLD_AGE_EXPL = (
    "Âge très élevé : au-delà de 89 ans, peu de personnes partagent cet âge (la règle américaine "
    "HIPAA les regroupe en « 90 ans ou plus »). Écrivez « plus de 90 ans »."
)


def _weigh_age(text: str, m: re.Match[str]) -> int | None:
    if _DURATION_BEFORE.search(text[max(0, m.start() - 30) : m.start()]):
        return None
    years = int(m.group(1))
    if years > 125:
        return None
    return 2 if years >= 90 else 1


# --- small places ------------------------------------------------------------------------------
_SMALL_PLACE_EXPL = (
    "Petit lieu (village, hameau, lieu-dit, petite commune) : peu d'habitants, donc peu de "
    "personnes correspondant aux autres détails. Écrivez « en zone rurale »."
)


def _weigh_small_place(_text: str, m: re.Match[str]) -> int | None:
    population = m.group("pop") or m.group("pop2")
    if population is not None and int(re.sub(r"\D", "", population)) >= 10_000:
        return None
    return 2


# --- events ------------------------------------------------------------------------------------
_EVENT_NOUNS = (
    r"accident de (?:la route|la circulation|voiture|moto|scooter|velo|tracteur|chasse|ski"
    r"|montagne|plongee|parapente|avion)|incendie|explosion|noyade|agression|attentat|avalanche"
    r"|naufrage|crash|fusillade|inondation|tempete|eboulement|fait divers"
    # Not "effondrement": "effondrement de l'état général" is clinical.
)
_MONTH = r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"
_EVENT_DATED = re.compile(rf"^[^.;\n]{{0,40}}?(?:\d{{1,2}}(?:er)?\s+(?:{_MONTH})|\d{{1,2}}/\d{{1,2}})")
_EVENT_EXPL = (
    "Événement marquant : un accident, un incendie ou une agression est souvent connu "
    "localement ; ne le datez pas et ne le situez pas précisément."
)
_MEDIA_EXPL = (
    "Événement médiatisé : n'importe qui peut retrouver la personne en cherchant l'article ou "
    "le reportage. Supprimez cette mention si elle n'est pas indispensable."
)


def _weigh_event(text: str, m: re.Match[str]) -> int | None:
    return 2 if _EVENT_DATED.search(text[m.end() : m.end() + 60]) else 1


# --- family ------------------------------------------------------------------------------------
_FAMILY_EXPL = (
    "Situation familiale : un détail inhabituel (famille nombreuse, jumeaux, veuvage) réduit le "
    "groupe de personnes possibles. Ne le gardez que s'il est utile à la demande."
)


def _weigh_family(_text: str, m: re.Match[str]) -> int | None:
    count = m.group("n") or m.group("n2")
    if count is not None:
        return 2 if int(count) >= 5 else 1
    return 2 if m.group(0).startswith(("tripl", "quadrupl", "quintupl")) else 1


# --- origin ------------------------------------------------------------------------------------
# "d'origine" alone would flag "douleur d'origine mécanique": it needs a nationality after it.
_ORIGIN_ALONE = (
    r"de nationalite [a-z-]+|originaire d(?:e |u |es |')[a-z-]+|ressortissante?s?|refugiee?s?"
    r"|demandeur d'asile|demandeuse d'asile|mineure? non accompagnee?|gens du voyage|sans[- ]papiers"
)
_ORIGIN_EXPL = (
    "Nationalité ou origine : donnée sensible, et rare dans certains lieux, donc identifiante. "
    "Ne la mentionnez que si elle change la prise en charge."
)


def _data_lines(name: str) -> list[str]:
    raw = files("avec").joinpath(f"data/protect/{name}").read_text(encoding="utf-8")
    return [line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def _rare_disease_names() -> tuple[str, ...]:
    """Rare disease names from the packaged list (see its header for the source)."""
    return tuple(_data_lines("rare_diseases.txt"))


@lru_cache(maxsize=1)
def _cues() -> dict[str, tuple[str, ...]]:
    """The ``[section]`` word lists of ``indirect_cues.txt``."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in _data_lines("indirect_cues.txt"):
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        else:
            current.append(line)
    return {name: tuple(words) for name, words in sections.items()}


def _heavy(_text: str, _m: re.Match[str]) -> int | None:
    return 2


_SMALL_PLACE = (
    r"(?:lieu-dit|lieudit|au hameau) (?:les |le |la |l')?[a-z][a-z'-]*"
    r"|(?:petit )?(?:village|hameau|lieu-dit|lieudit|bourg)"
    r"(?: (?:de la |de l'|de |du |des |d')(?:(?P<pop>\d[\d\s.]*?) habitants|[a-z][a-z'-]*))?"
    r"|petite commune|commune rurale|ile d'[a-z]+"
    r"|commune de (?:moins de )?(?P<pop2>\d[\d\s.]*) habitants"
    r"|(?:seule?|dernier|derniere|unique) (?:[a-z-]+ ){0,2}(?:du|de la|de l') "
    r"(?:petit |petite )?(?:village|commune|hameau|ile|canton|vallee)"
)
_MEDIA = (
    r"mediatisee?s?|dont (?:la presse|les medias|les journaux|la television) (?:a|ont) parle"
    r"|(?:dans|par) la presse(?: locale| regionale| nationale)?|a la une|journal televise|reportage"
)
_FAMILY = (
    r"veufs?|veuves?|orphelins?|orphelines?|jumeaux|jumelles?|jumeau|triples|triplees|quadruples"
    r"|quintuples|famille nombreuse|(?:pere|mere|parents?) de (?P<n>\d{1,2}) enfants"
    r"|(?P<n2>\d{1,2}) enfants"
)
_YOUNG_AGE = r"(?:agee?|nourrisson|bebe|enfant|nouveau-nee?) de \d{1,2} (?:mois|semaines|jours)"
_OLD_AGE = r"(?:super)?centenaires?|doyen(?:ne)? (?:de|du|des) [a-z' -]{3,30}?(?=[,.;\n]|$)"
_RARE_EXPL = (
    "Maladie rare : peu de personnes sont atteintes, encore moins dans une même région. "
    "À garder si elle est utile au soin, mais sans autre détail identifiant."
)


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """Every rule, one group per category, compiled once."""
    cues = _cues()
    trades, notable, nations = _alt(cues["trades"]), _alt(cues["notable"]), _alt(cues["nationalities"])
    nation = rf"(?:{nations})(?:ne|e)?s?"
    who = r"patiente?|homme|femme|monsieur|madame|jeune|famille|d'origine"
    return (
        Rule(Category.PROFESSION, _rx(rf"(?:{_TRADE_CUE})\s*(?:{trades})s?"), _PROFESSION_EXPL),
        Rule(Category.PROFESSION, _rx(rf"(?:{trades})s? (?:a|en) (?:la )?retraite"), _PROFESSION_EXPL),
        Rule(Category.PROFESSION, _rx(notable), _NOTABLE_EXPL, _heavy),
        Rule(Category.AGE, re.compile(r"(?<![\w,.-])(\d{1,3})\s?ans(?![\w-])"), _AGE_EXPL, _weigh_age),
        Rule(Category.AGE, _rx(_YOUNG_AGE), _AGE_EXPL),
        Rule(Category.AGE, _rx(_OLD_AGE), _OLD_AGE_EXPL, _heavy),
        Rule(Category.MALADIE_RARE, _rx(_alt(_rare_disease_names())), _RARE_EXPL, _heavy),
        Rule(Category.PETIT_LIEU, _rx(_SMALL_PLACE), _SMALL_PLACE_EXPL, _weigh_small_place),
        Rule(Category.EVENEMENT, _rx(_EVENT_NOUNS), _EVENT_EXPL, _weigh_event),
        Rule(Category.EVENEMENT, _rx(_MEDIA), _MEDIA_EXPL, _heavy),
        Rule(Category.FAMILLE, _rx(_FAMILY), _FAMILY_EXPL, _weigh_family),
        Rule(Category.ORIGINE, _rx(_ORIGIN_ALONE), _ORIGIN_EXPL),
        Rule(Category.ORIGINE, _rx(rf"(?:{who})\s+{nation}"), _ORIGIN_EXPL),
    )


def find_quasi_identifiers(text: str, spans: Sequence[Span] = ()) -> list[QuasiIdentifier]:
    """Quasi-identifiers of ``text``, sorted, without overlap and outside redacted ``spans``.

    A detail overlapping a redacted span is dropped: it will be replaced anyway. Among
    overlapping details the heavier, then longer one is kept.
    """
    folded = fold(text).replace("’", "'")
    found: list[QuasiIdentifier] = []
    for rule in rules():
        for m in rule.pattern.finditer(folded):
            weight = rule.weigh(folded, m)
            if weight is not None and m.end() > m.start():
                found.append(QuasiIdentifier(m.start(), m.end(), rule.category, weight, rule.explanation_fr))
    kept: list[QuasiIdentifier] = []
    for q in sorted(found, key=lambda q: (-q.weight, q.start - q.end, q.start)):
        if any(q.start < s.end and s.start < q.end for s in spans):
            continue
        if not any(q.start < k.end and k.start < q.end for k in kept):
            kept.append(q)
    return sorted(kept, key=lambda q: q.start)


def score(quasi: Sequence[QuasiIdentifier]) -> tuple[RiskLevel, str]:
    """Combine quasi-identifiers into a risk level and its French explanation.

    k-anonymity reasoning: each detail alone is shared by many people; every further category
    divides the group, and a rare detail (weight 2) divides it a lot. Three categories, or two
    with a rare one, typically leave a group of one in a small population.
    """
    categories = {q.category for q in quasi}
    rare = {q.category for q in quasi if q.weight == 2}
    names = ", ".join(sorted(str(c) for c in categories))
    if not categories:
        return RiskLevel.FAIBLE, "Aucun détail indirectement identifiant repéré."
    combined = (
        f"Détails repérés : {names}. Pris isolément, chacun est partagé par beaucoup de personnes ; "
        "combinés (par exemple âge, petit lieu et profession), ils peuvent désigner une seule "
        "personne (raisonnement de k-anonymat : plus le groupe de personnes correspondant à tous "
        "les détails est petit, plus la ré-identification est facile)."
    )
    if len(categories) >= 3 or (len(categories) >= 2 and rare):
        return RiskLevel.ELEVE, combined + " Généralisez ou supprimez au moins un de ces détails."
    if len(categories) == 2 or rare:
        why = (
            combined
            if len(categories) == 2
            else (
                f"Détail rare repéré : {names}. Il désigne à lui seul un petit groupe de personnes ; "
                "n'y ajoutez ni âge précis, ni lieu, ni profession."
            )
        )
        return RiskLevel.MODERE, why
    return RiskLevel.FAIBLE, (
        f"Un seul type de détail repéré ({names}), partagé par beaucoup de personnes ; "
        "veillez à ne pas en ajouter d'autres."
    )


def _direct_counts(spans: Sequence[Span]) -> dict[str, int]:
    return dict(sorted(Counter(s.label for s in spans).items()))


def _direct_sentence(counts: dict[str, int]) -> str:
    if not counts:
        return ""
    parts = ", ".join(f"{n} {LABEL_FR.get(label, label.lower())}" for label, n in counts.items())
    return f" Identifiants directs pseudonymisés : {parts}."


def assess(text: str, spans: list[Span]) -> IndirectRisk:
    """Report the indirect-identification risk of ``text`` once ``spans`` are redacted.

    Args:
        text: the text as typed or pasted.
        spans: direct identifiers found by the pipeline (they will be replaced).

    Returns:
        The risk level, the quasi-identifiers (flagged, never removed), the redacted direct
        identifiers counted by label and a French explanation free of any input text.
    """
    quasi = find_quasi_identifiers(text, spans)
    level, why = score(quasi)
    counts = _direct_counts(spans)
    return IndirectRisk(level, tuple(quasi), counts, why + _direct_sentence(counts))


def iter_explanations(risk: IndirectRisk) -> Iterator[str]:
    """One French line per quasi-identifier category, for display."""
    seen: set[Category] = set()
    for q in risk.quasi_identifiers:
        if q.category not in seen:
            seen.add(q.category)
            yield f"{str(q.category).capitalize()} : {q.explanation_fr}"
