"""Postal addresses: street part (``ADRESSE``), postal code (``ZIP``) and the city after it (``VILLE``).

A street is a number (with ``bis``/``ter``) and a street type followed by its name, up to a
comma, a dash, a line end or the postal code; building and flat details attached to it
(``bât. B``, ``appt 12``, ``résidence Les Pins``) belong to it. A five-digit number is a postal
code only in address context: right after a street, after ``CP``, or before a capitalised city
name. Cities named elsewhere (``né à Lyon``) belong to the places detector.
"""

from __future__ import annotations

import re

from avec.protect.detectors.base import Detector, Document, first_not_after, register
from avec.text import Label, Span, fold

_STREET_TYPES = (
    r"rue|ruelle|avenue|av\.|ave\.?|bd|bld|blvd|boulevard|chemin|ch\.|all[ée]e|impasse|imp\.|place|pl\."
    r"|route|rte|quai|cours|square|sq\.|r[ée]sidence|r[ée]s\.|lotissement|lot\.|lieu-dit|lieu\s+dit"
    r"|lieudit|hameau|voie|sentier|passage|cit[ée]|faubourg|fg|rond-point|esplanade|parvis"
    r"|promenade|villa|domaine|chauss[ée]e|mont[ée]e|traverse|venelle|clos|parc|cour|zac|za|zi"
)
# Types that name a place on their own, without a house number.
# Residence, villa, clos... without a number are often the names of care homes: those need
# an address context instead.
_NO_NUMBER_TYPES = re.compile(r"lieu|hameau", re.I)
# Folded (lower case, no accents) forms, compared with fold(word).
_PARTICLES = frozenset(
    ("de", "du", "des", "la", "le", "les", "l", "d", "aux", "au", "a", "sur", "sous", "en", "et", "lez")
)
# Words that end a lowercase street or city name in quickly typed text.
_STOP_WORDS = frozenset(
    (
        "pour",
        "avec",
        "depuis",
        "chez",
        "tel",
        "telephone",
        "fax",
        "mail",
        "ne",
        "nee",
        "qui",
        "est",
        "a",
        "vers",
        "dans",
        "par",
        "sans",
        "car",
        "mais",
        "ou",
        "il",
        "elle",
        "son",
        "sa",
        "ses",
        "mon",
        "ma",
        "nous",
        "vous",
        "cedex",
        "france",
        "n°",
        "no",
        "portable",
        "tel.",
        "domicile",
    )
)
# Abbreviations that may stand inside a street name with their full stop ("rue St. Michel").
_ABBREVIATIONS = frozenset(
    (
        "st",
        "ste",
        "av",
        "bd",
        "bld",
        "bat",
        "apt",
        "esc",
        "res",
        "imp",
        "pl",
        "chem",
        "gal",
        "gen",
        "mal",
        "mar",
        "pdt",
        "prof",
        "dr",
        "pr",
        "r",
        "fg",
        "fbg",
        "rte",
        "sq",
        "qu",
        "cdt",
        "lt",
    )
)
_WORD = r"\w[\w'’.\-]*"


def _by_first_letter(alternatives: str) -> str:
    """The same alternation grouped by first letter: ``r(?:ue|uelle|oute)|a(?:venue|ve)``.

    ``re`` tries the alternatives one by one at each position; grouped, a position is left after
    one test per letter. The alternatives keep their order within a letter, and two letters never
    match the same character, so the matches do not change.
    """
    groups: dict[str, list[str]] = {}
    for alt in alternatives.split("|"):
        if not alt[:1].isalpha():  # a plain letter first, never a class or an escape
            raise ValueError(f"alternative sans lettre initiale : {alt}")
        groups.setdefault(alt[0], []).append(alt[1:])
    return "|".join(f"{letter}(?:{'|'.join(rest)})" for letter, rest in groups.items())


_STREET_TYPES_GROUPED = _by_first_letter(_STREET_TYPES)
_STREET = re.compile(
    rf"(?<![\w])(?P<num>\d{{1,4}}(?:[ ]?(?:bis|ter|quater|[A-Da-d])(?![\w]))?[ ]?,?[ ]+)?"
    rf"(?P<type>(?i:{_STREET_TYPES_GROUPED}))(?![\w])(?P<name>(?:[ ]+(?!\d{{5}}(?!\w)){_WORD}){{1,8}})"
)
_DETAIL = re.compile(
    r"[ ]*[,\-–]?[ ]*(?i:b[âa]t(?:iment|\.)?[ ]*[\w]{1,3}|app(?:ar)?t(?:ement|\.)?[ ]*(?:n°[ ]*)?\d{1,4}\w?"
    r"|esc(?:alier|\.)?[ ]*\w{1,3}|\d{1,2}[ ]?(?:e|er|[èe]me)[ ]+[ée]tage|[ée]tage[ ]*\d{1,2}"
    r"|porte[ ]+\w{1,4}|entr[ée]e[ ]+\w{1,3}|bo[iî]te[ ]+\w{1,4}|BP[ ]*\d{1,5}|CS[ ]*\d{1,6}"
    r"|r[ée]sidence(?:[ ]+[A-ZÀ-Ý][\w'’\-]*|[ ]+(?:les?|la|l['’]|du|des|de))+)"
)
# "[0-8]\d|9[0-5]|97|98|2[AB]" then three digits, written with the first digit matched first (see
# first_not_after), then what may follow it.
_ZIP_START = first_not_after(r"\d", r"[\w.,/]")
_ZIP = re.compile(
    rf"(?P<zip>{_ZIP_START}(?:(?<=[0-8])\d|(?<=9)[0-5]|(?<=9)7|(?<=9)8|(?<=2)[AB])[ ]?\d{{3}})"
    r"(?![\w]|[.,/]\d)"
)
_SEPARATORS = re.compile(r"[ ,\-–|\n]*")
_CP_BEFORE = re.compile(r"\b(?:cp|code\s+postal)\s*:?\s*$", re.I)
_ADDRESS_BEFORE = re.compile(
    r"(?:domicili[ée]e?|demeurant|habite|adresse|r[ée]sid(?:e|ant))\b[^\n]{0,3}$", re.I
)
_CITY_WORD = r"(?!(?i:cedex)\b)[A-ZÀ-Ý][A-Za-zÀ-ÿ'’]*(?:-[A-Za-zÀ-ÿ'’]+)*"
_CITY = re.compile(
    rf"[ ]+(?P<city>{_CITY_WORD}(?:[ ](?:(?:sur|sous|en|de|du|des|la|le|les|lès|lez|aux|d['’]|l['’])[ ]?)*"
    rf"{_CITY_WORD})*(?:[ ]+(?i:cedex)(?:[ ]+\d{{1,2}})?)?)"
)
_CITY_LOWER = re.compile(r"[ ]+(?P<city>(?:(?:le|la|les)[ ])?[a-zà-ÿ][a-zà-ÿ'’]*(?:-[a-zà-ÿ'’]+)*)")
_NOT_CITY = frozenset(
    ("ui", "u", "mg", "ml", "kg", "cp", "ans", "tel", "fax", "mail", "email", "france", "patients")
)


def _trim_name(name: str) -> str:
    """Cut a street name at the first word that cannot belong to it."""
    words = name.split(" ")
    has_capital = any(w[:1].isupper() for w in words if w)
    kept: list[str] = []
    for word in words:
        if not word:
            kept.append(word)
            continue
        low = fold(word).strip(".")
        if low in _STOP_WORDS:
            break
        lower_extra = word[:1].islower() and fold(word).rstrip("'’") not in _PARTICLES
        # In mixed-case text a lowercase word that is no particle ends the name ("l'Église" stays).
        if has_capital and lower_extra and not re.match(r"[ld]['’]", word):
            break
        kept.append(word)
        # A full stop after a word that is no abbreviation ends the sentence, so the name.
        if word.endswith(".") and low not in _ABBREVIATIONS and not re.fullmatch(r"\w\.", word):
            break
    out = " ".join(kept).rstrip(" .-")
    # A name never ends on a particle ("rue de").
    while out and fold(out.rsplit(" ", 1)[-1]).rstrip("'’") in _PARTICLES and " " in out.strip():
        out = out.rsplit(" ", 1)[0]
    return out


@register("addresses")
class AddressDetector(Detector):
    """Street part, postal code and city of postal addresses."""

    def detect(self, doc: Document) -> list[Span]:
        """Streets first, then postal codes and the city that follows each."""
        text = doc.text
        spans: list[Span] = []
        for m in _STREET.finditer(text):
            span = self._street(text, m)
            # Candidates come in order and kept streets never overlap, so the last one kept
            # ends furthest: comparing with it alone is enough (and linear).
            if span and not (spans and span.start < spans[-1].end):
                spans.append(span)
        street_ends = {s.end for s in spans}
        for m in _ZIP.finditer(text):
            spans.extend(self._zip_city(text, m, street_ends))
        return spans

    def _street(self, text: str, m: re.Match[str]) -> Span | None:
        """The street span of a candidate, or None when it is not an address."""
        name = _trim_name(m.group("name"))
        if not name.strip() or (len(name.strip()) < 2 and not name.strip().isdigit()):
            return None
        end = m.start("name") + len(name)
        start = m.start()
        numbered = bool(m.group("num"))
        if not numbered and not _NO_NUMBER_TYPES.match(m.group("type")):
            after = text[end : end + 4]
            before = text[max(0, start - 30) : start]
            if not (re.match(r"[ ,\-–|\n]*\d{5}", after) or _ADDRESS_BEFORE.search(before)):
                return None
        while True:
            detail = _DETAIL.match(text, end)
            if not detail or detail.end() == end:
                break
            end = detail.end()
        score = 0.9 if numbered else 0.8
        return Span(start, end, Label.ADRESSE, score, self.name)

    def _zip_city(self, text: str, m: re.Match[str], street_ends: set[int]) -> list[Span]:
        """ZIP and VILLE spans for a five-digit candidate in address context.

        ``street_ends``: where the streets found end (the streets before, looked up by offset
        rather than all compared with each postal code).
        """
        start, end = m.span("zip")
        gap = text[max(0, start - 4) : start]
        after_street = any(
            e in street_ends and _SEPARATORS.fullmatch(text[e:start]) for e in range(start - 4, start + 1)
        )
        cp = bool(_CP_BEFORE.search(text[max(0, start - 20) : start]))
        context = after_street or cp or bool(re.search(r"[,\-–]\s*$", gap))
        city = _CITY.match(text, end)
        if city and fold(city.group("city").split(" ")[0]) in _NOT_CITY:
            city = None
        if city is None and (after_street or cp):
            city = _CITY_LOWER.match(text, end)
            if city and fold(city.group("city")) in _NOT_CITY | _STOP_WORDS:
                city = None
        if city is None and not (after_street or cp):
            return []
        if city is None:
            return [Span(start, end, Label.ZIP, 0.85, self.name)]
        score = 0.9 if context else 0.8
        c_start, c_end = city.span("city")
        name = city.group("city")
        # Drop a trailing word that cannot end a city ("Paris Tél").
        words = name.split(" ")
        while len(words) > 1 and fold(words[-1]).strip(".") in _NOT_CITY | _STOP_WORDS:
            words.pop()
        c_end = c_start + len(" ".join(words))
        return [
            Span(start, end, Label.ZIP, score, self.name),
            Span(c_start, c_end, Label.VILLE, score, self.name),
        ]
