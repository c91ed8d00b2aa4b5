"""Health establishments (HOPITAL) and cities named outside a postal address (VILLE)."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from importlib import resources

import ahocorasick

from avec.protect.detectors.base import Detector, Document, register
from avec.text import Label, Span, fold

# A capitalised word, possibly hyphenated or with an elided article ("d'Angers", "Saint-Jean-de-Luz").
_CAP = r"(?:[dDlL]['’])?[A-ZÀ-ÖØ-Þ][\w’'-]*(?<![-'’])"
# Connectors allowed inside a proper name ("Hospices Civils de Lyon"); elided ones ("d'Automne")
# are part of the capitalised word itself.
_LINK = r"(?:de[ \t]+la|des|du|de|la|le|les|et|sur|en|sous|lès)"
_NAME = rf"{_CAP}(?:[ \t]+(?:{_LINK}[ \t]+)?{_CAP})*"

# Head words that introduce an establishment name; longest alternatives first.
_HEADS = (
    r"Centre\s+[Hh]ospitalier(?:\s+[Uu]niversitaire|\s+[Rr][ée]gional(?:\s+et\s+[Uu]niversitaire)?"
    r"|\s+[Ii]ntercommunal|\s+[Ss]p[ée]cialis[ée]|\s+[Gg][ée]n[ée]ral|\s+[Dd][ée]partemental)?",
    r"Groupe(?:ment)?\s+[Hh]ospitalier(?:\s+[Uu]niversitaire)?",
    r"Centre\s+(?:de\s+)?(?:r[ée][ée]ducation|r[ée]adaptation|soins|sant[ée]|lutte\s+contre\s+le\s+cancer"
    r"|m[ée]dical|m[ée]dico-psychologique|hospitalier)",
    r"Maison\s+(?:de\s+sant[ée]|de\s+retraite|m[ée]dicale)",
    r"Hospices?\s+[Cc]ivils",
    r"H[ôo]pital|H[ôo]pitaux|Polyclinique|Cliniques?|Institut|Fondation|R[ée]sidence|Centre",
    r"CHU|CHRU|CHR|CHI|CHS|CHG|CHD|CH|GHU|GHT|GHI|GH|AP-HP|APHP|AP-HM|EHPAD|Ehpad|USLD|SSR|SMR|MAS|FAM",
    # medico-social services named after their town ("CCAS de Quimper", "SSIAD de Vitré")
    r"CCAS|CIAS|SSIAD|SAAD|SPASAD|CMPP|CMP|CSAPA|CATTP|PMI|ESAT|IME|Mairie",
)
_HEAD = "(?:" + "|".join(_HEADS) + ")"
# Every head word starts with a capital: the look-ahead rejects other positions at once.
_ESTABLISHMENT = re.compile(
    rf"(?<![\w-])(?=[A-Z]){_HEAD}[ \t]+(?:{_LINK}[ \t]+)?{_NAME}"
    # "Hôpital Necker-Enfants malades": a hyphenated name may end in a lower-case word.
)
# Adjectives that may stand before the head word ("Nouvelles Cliniques Nantaises").
_LEADING_ADJ = re.compile(r"(?:Nouvel(?:le)?s?|Grand(?:e)?s?|Petit(?:e)?s?|Vieux|Vieille)[ \t]+$")
_ACRONYM_ALONE = re.compile(r"(?<![\w-])(?:AP-HP|APHP|AP-HM|HCL)(?![\w-])")
_ACRONYM_PARTS = ("AP", "HCL")
_NAME_TAIL = re.compile(r"[ \t]+(malades|enfants|adultes)\b")  # one of them is in every _ACRONYM_ALONE match

# The look-ahead names the first letters of the trigger words ("née", "vit", "domicilié",
# "habite", "réside", "originaire", "installé", "muté", "transféré"): most positions fail on it.
_CITY_TRIGGER = re.compile(
    r"(?=[ndhvromit])(?:\bn[ée]e?\b[^\n]{0,40}?\s+à|\bvi(?:t|vent|vant)(?:\s+(?:seule?s?|en\s+couple|avec\s+\w+))?\s+à"
    r"|\bdomicili[ée]e?s?\s+à|\bhabite(?:nt)?(?:\s+(?:seule?s?|en\s+couple|avec\s+\w+))?\s+(?:à\s+)?"
    r"|\br[ée]sid(?:e|ant|ante)\s+à|\bdemeurant\s+à|\boriginaire\s+d[e'’]|\binstall[ée]e?\s+à"
    r"|\bdécéd[ée]e?\s+à|\bmut[ée]e?\s+à|\btransf[ée]r[ée]e?\s+à)\s*",
    re.IGNORECASE,
)
_CITY = re.compile(
    rf"(?:(?:Le|La|Les|L['’])\s+)?(?:(?:Saint|Sainte|St|Ste)\.?[ \t]+)?{_CAP}"
    rf"(?:[ \t]+(?:sur|en|lès|les|de)[ \t]+{_CAP})?"
)
# The place at the head of a letter: "Bordeaux, le 14/03/2024", "Saint-Malo, le 3 mai 2024".
_LETTER_PLACE = re.compile(
    rf"(?m)^[ \t]*({_CAP}(?:[ \t]+(?:sur|en|lès|les|de)[ \t]+{_CAP})?),[ \t]+le[ \t]+"
    r"(?:\d{1,2}(?:er)?[ /.-]|\d{1,2}[ \t]+[a-zéû]+|(?:lun|mar|mercre|jeu|vendre|same)di\b|dimanche\b)"
)
_CODE_IN_BRACKETS = r"\([ \t]*(?P<zip>(?:[0-8]\d|9[0-5]|97|98|2[AB])[ ]?\d{3})[ \t]*\)"
_CITY_WITH_CODE = re.compile(
    rf"(?P<city>(?:{_CAP}[ \t]+(?:sur|en|lès)[ \t]+)?{_CAP})[ \t]*{_CODE_IN_BRACKETS}"
)
# Part of every _CITY_WITH_CODE match, and quick to look for (it opens on a bracket): a text
# without it skips the city pattern, which tries every capital letter.
_BRACKETED_CODE = re.compile(_CODE_IN_BRACKETS)
_AFTER_ADDRESS = re.compile(rf",?[ \t]+(?:à|a)[ \t]+(?P<city>(?:(?:Le|La|Les)[ \t]+)?{_CAP})")
_NOT_CITY = frozenset(
    {
        "domicile",
        "l",
        "la",
        "le",
        "les",
        "un",
        "une",
        "son",
        "sa",
        "ses",
        "mon",
        "ma",
        "leur",
        "notre",
        "cette",
        "ce",
        "ehpad",
        "hopital",
        "jour",
        "j",
        "h",
        "pres",
        "proximite",
        "nouveau",
        "nouveaux",
    }
)


@lru_cache(maxsize=1)
def _known_establishments() -> ahocorasick.Automaton:
    text = (resources.files("avec") / "data" / "protect" / "establishments.txt").read_text("utf-8")
    auto = ahocorasick.Automaton()
    for line in text.splitlines():
        name = line.strip()
        if name and not name.startswith("#"):
            auto.add_word(fold(name), len(name))
    auto.make_automaton()
    return auto


def _word_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())


@register("hospitals")
class HospitalDetector(Detector):
    """Hospitals, clinics, EHPAD and other establishments, named with a head word or known by name."""

    def load(self) -> None:
        _known_establishments()

    def detect(self, doc: Document) -> list[Span]:
        text = doc.text
        spans: list[Span] = []
        for m in _ESTABLISHMENT.finditer(text):
            start, end = m.start(), m.end()
            lead = _LEADING_ADJ.search(text, max(0, start - 20), start)
            if lead:
                start = lead.start()
            tail = _NAME_TAIL.match(text, end)  # at end, not on text[end:]: copying was quadratic
            if tail and "-" in m.group(0):
                end = tail.end()
            spans.append(Span(start, end, Label.HOPITAL, 0.9, self.name))
        acronyms = any(part in text for part in _ACRONYM_PARTS)
        for m in _ACRONYM_ALONE.finditer(text) if acronyms else ():
            spans.append(Span(m.start(), m.end(), Label.HOPITAL, 0.7, self.name))
        folded = doc.folded
        for end_idx, length in _known_establishments().iter(folded):
            start = end_idx + 1 - length
            if _word_bounded(text, start, end_idx + 1):
                spans.append(Span(start, end_idx + 1, Label.HOPITAL, 0.95, self.name))
        return _merge_overlapping(spans)


def _merge_overlapping(spans: list[Span]) -> list[Span]:
    """Union of overlapping establishment spans, so "Hôpital" + known name form one span."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(
                last.start, max(last.end, span.end), last.label, max(last.score, span.score), last.source
            )
        else:
            merged.append(span)
    return merged


@register("cities")
class CityDetector(Detector):
    """Cities introduced by place-of-birth or residence phrases ("née à", "vit à", "originaire de")."""

    def detect(self, doc: Document) -> list[Span]:
        text = doc.text
        spans: list[Span] = []
        for trig in _CITY_TRIGGER.finditer(text):
            m = _CITY.match(text, trig.end())
            if not m:
                continue
            words = re.findall(r"[\w’'-]+", m.group(0))
            if fold(words[0]) in _NOT_CITY and len(words) == 1:
                continue
            spans.append(Span(m.start(), m.end(), Label.VILLE, 0.8, self.name))
        for m in _LETTER_PLACE.finditer(text):
            spans.append(Span(m.start(1), m.end(1), Label.VILLE, 0.8, self.name))
        for m in _CITY_WITH_CODE.finditer(text) if _BRACKETED_CODE.search(text) else ():
            # "Tours (37000)": a postal code in brackets names the town before it
            spans.append(Span(m.start("city"), m.end("city"), Label.VILLE, 0.85, self.name))
            spans.append(Span(m.start("zip"), m.end("zip"), Label.ZIP, 0.9, self.name))
        for address in (s for s in doc.spans if s.label == Label.ADRESSE):
            # "12 rue Haute à Vannes": the town right after a street
            m = _AFTER_ADDRESS.match(text, address.end)
            if m:
                spans.append(Span(m.start("city"), m.end("city"), Label.VILLE, 0.85, self.name))
        return spans + _propagate_cities(text, [*doc.spans, *spans])


def _propagate_cities(text: str, spans: list[Span]) -> list[Span]:
    """Other capitalised mentions of a city already found (after a postal code, "née à")."""
    names = {text[s.start : s.end] for s in spans if s.label == Label.VILLE}
    names = {n for n in names if len(n) >= 3 and n[0].isupper()}
    if not names:
        return []
    taken = sorted((s.start, s.end) for s in spans)
    starts = [a for a, _ in taken]
    pattern = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    found: list[Span] = []
    for m in re.finditer(rf"(?<![\w-])(?:{pattern})(?![\w-])", text, flags=re.IGNORECASE):
        i = bisect_right(starts, m.start()) - 1
        overlaps = (i >= 0 and taken[i][1] > m.start()) or (i + 1 < len(taken) and taken[i + 1][0] < m.end())
        if m.group(0)[0].isupper() and not overlaps:
            found.append(Span(m.start(), m.end(), Label.VILLE, 0.75, "cities"))
    return found
