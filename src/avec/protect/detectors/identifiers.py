"""Structured identifiers: NIR, IBAN, phones, e-mails, URLs, RPPS/ADELI, patient and stay numbers.

Each family is a small regular-expression detector with a ``validate`` hook (after Presidio's
``validate_result`` and docdeid's ``_validate_match``): the hook returns the span score, or
``None`` to drop the match. A shape that fails its checksum is still returned, with a lower
score, because a mistyped NIR or IBAN is still personal data.
"""

from __future__ import annotations

import re
from typing import ClassVar

from avec.protect.detectors.base import Detector, Document, first_not_after, register
from avec.text import Label, Span

# Separators people put between digit groups (space, no-break spaces, dot, hyphen).
_SEP = r"[ \u00a0\u202f.\-]?"
# First characters of the patterns below, with what must not stand before them (see
# first_not_after: matched this way, re jumps from one candidate character to the next).
_NIR_START = first_not_after("[1-478]", r"[\w.]")
_PHONE_PLUS = first_not_after(r"\+", r"[\w+/,.]")
_PHONE_ZERO = first_not_after("0", r"[\w+/,.]")
_RPPS_START = first_not_after(r"\d", r"[\w.,/]")
_BARE_START = first_not_after(r"\d", r"[\w.,/\-+]")


def mod97_nir_key_ok(digits13: str, key: str) -> bool:
    """Whether ``key`` is the NIR key of ``digits13`` (Corsica: 2A → 19, 2B → 18)."""
    body = digits13.upper().replace("2A", "19").replace("2B", "18")
    if not body.isdigit() or not key.isdigit():
        return False
    return 97 - int(body) % 97 == int(key)


def iban_ok(iban: str) -> bool:
    """Whether a compact upper-case IBAN passes the ISO 13616 mod-97 check."""
    moved = iban[4:] + iban[:4]
    try:
        number = "".join(str(int(ch, 36)) for ch in moved)
    except ValueError:
        return False
    return int(number) % 97 == 1


def luhn_ok(digits: str) -> bool:
    """Whether a digit string passes the Luhn check (RPPS, ADELI carry a Luhn key)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


class PatternDetector(Detector):
    """A detector made of one compiled pattern, a label and a :meth:`validate` hook.

    Subclasses set ``PATTERN`` and ``LABEL``; the span covers group ``value`` when the pattern
    has one, the whole match otherwise.
    """

    PATTERN: ClassVar[re.Pattern[str]]
    LABEL: ClassVar[str]
    SCORE: ClassVar[float] = 0.95

    def may_match(self, text: str) -> bool:
        """A quick test of something every match contains; False skips the scan. Default: True."""
        return True

    def validate(self, match: re.Match[str], text: str) -> float | None:
        """Return the score of ``match``, or ``None`` to drop it. Default: :attr:`SCORE`."""
        return self.SCORE

    def label_for(self, match: re.Match[str]) -> str:
        """Label of the span; subclasses may choose per match."""
        return self.LABEL

    def detect(self, doc: Document) -> list[Span]:
        """Run the pattern over the text and keep the matches ``validate`` accepts."""
        spans: list[Span] = []
        if not self.may_match(doc.text):
            return spans
        for m in self.PATTERN.finditer(doc.text):
            score = self.validate(m, doc.text)
            if score is None:
                continue
            group = "value" if "value" in self.PATTERN.groupindex else 0
            start, end = m.span(group)
            spans.append(Span(start, end, self.label_for(m), score, self.name))
        return spans


@register("nir")
class NirDetector(PatternDetector):
    """French social security number: sex, year, month, department (2A/2B), commune, order, key."""

    PATTERN = re.compile(
        rf"({_NIR_START}{_SEP}\d\d{_SEP}(?:0[1-9]|1[0-2]|[2-9]\d){_SEP}"
        rf"(?:2[AB]{_SEP}(?:\d{_SEP}){{5}}\d|(?:\d{_SEP}){{7}}\d)){_SEP}(\d\d)(?![\w]|[.,]\d)",
        re.IGNORECASE,
    )
    LABEL = Label.SECU
    # Usual groupings: compact, "1 23 45 67 890 123 45", overseas "1 23 45 976 12 345 67",
    # or the key alone set apart.
    _USUAL = re.compile(
        r"[1-478]\d\d\d\d(?:\d\d|2[AB])\d{6}\W?\d\d"
        r"|[1-478]\W\d\d\W\d\d\W(?:\d\d|2[AB])\W\d{3}\W\d{3}\W\d\d"
        r"|[1-478]\W\d\d\W\d\d\W97\d\W\d\d\W\d{3}\W\d\d",
        re.IGNORECASE,
    )

    def validate(self, match: re.Match[str], text: str) -> float | None:
        """Full score with a right key; 0.8 for a wrong key in a usual grouping (a typo is
        still personal data); other groupings with a wrong key are not NIRs."""
        body = re.sub(r"[^0-9A-Za-z]", "", match.group(1))
        if mod97_nir_key_ok(body, match.group(2)):
            return 1.0
        return 0.8 if self._USUAL.fullmatch(match.group(0)) else None


@register("iban")
class IbanDetector(PatternDetector):
    """IBAN of any country, grouped by four or not; checked with mod 97."""

    # Each group must hold a digit so that a following word is never taken as a group.
    PATTERN = re.compile(
        r"(?<![\w])[A-Z]{2}\d\d(?:[ \u00a0\-]?(?=[A-Z0-9]{0,3}\d)[A-Z0-9]{4}){2,7}"
        r"(?:[ \u00a0\-]?\d{1,3})?(?![\w])",
        re.IGNORECASE,
    )
    LABEL = Label.IBAN
    # Two letters then two digits, found from the digits (see first_not_after for why).
    _HEAD: ClassVar[re.Pattern[str]] = re.compile(r"\d(?<=[A-Z]{2}\d)\d", re.IGNORECASE)

    def may_match(self, text: str) -> bool:
        """Every IBAN opens with two letters and two digits."""
        return self._HEAD.search(text) is not None

    def validate(self, match: re.Match[str], text: str) -> float | None:
        """1.0 with a good checksum, 0.75 for an IBAN shape with a wrong one."""
        compact = re.sub(r"[^0-9A-Za-z]", "", match.group(0)).upper()
        if len(compact) < 15:
            return None
        return 1.0 if iban_ok(compact) else 0.75


@register("phone")
class PhoneDetector(PatternDetector):
    """French phone numbers: national (0X), international (+33, 0033, with an optional (0))."""

    # "+33", "0033" or "0" (written "+" then "33", or "0" then "033" or nothing, so that the
    # pattern opens on its first character)
    PATTERN = re.compile(
        rf"(?:{_PHONE_PLUS}33[ \u00a0.\-]?(?:\(0\)[ \u00a0.\-]?)?"
        rf"|{_PHONE_ZERO}(?:033[ \u00a0.\-]?(?:\(0\)[ \u00a0.\-]?)?|))[1-9]"
        r"(?:[ \u00a0.\-]?\d\d){4}(?![\w]|[/,.]\d)"
    )
    LABEL = Label.TEL

    def validate(self, match: re.Match[str], text: str) -> float | None:
        """Refuse mixed separators in a national number (``01.02.2024`` style is a date)."""
        value = match.group(0)
        if value.startswith("0") and not value.startswith("00"):
            seps = set(re.findall(r"[^\d]", value[2:]))
            if len(seps) > 1:
                return None
        return self.SCORE


@register("email")
class EmailDetector(PatternDetector):
    """E-mail addresses, including MSSanté ones."""

    PATTERN = re.compile(
        r"(?<![\w.+\-'’])[\w.+\-]+(?:['’][\w.+\-]+)*@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,24}(?![\w@])"
    )
    LABEL = Label.MAIL
    SCORE = 0.97

    def may_match(self, text: str) -> bool:
        """No e-mail address without an "@"."""
        return "@" in text


@register("url")
class UrlDetector(PatternDetector):
    """Web addresses: with a scheme, starting with ``www.``, or a bare domain followed by a path."""

    # The name parts are possessive (*+, ++): a dot must follow them, which they never hold, so
    # giving characters back could not help; without it each word was read again on failure.
    PATTERN = re.compile(
        r"(?<![\w@.\-/])(?:https?://|www\.)[^\s<>\"'«»]+"
        r"|(?<![\w@.\-/])[a-z0-9][a-z0-9\-]*+(?:\.[a-z0-9\-]++)*\.[a-z]{2,10}/[^\s<>\"'«»]*",
        re.IGNORECASE,
    )
    LABEL = Label.URL
    SCORE = 0.97
    _TRAIL: ClassVar[str] = ".,;:!?)]}'\""
    _DOMAIN_PATH: ClassVar[re.Pattern[str]] = re.compile(r"\.[a-z]{2,10}/", re.IGNORECASE)

    def may_match(self, text: str) -> bool:
        """A scheme ("://"), "www." or a domain ending followed by "/" is in every match."""
        return "://" in text or "www." in text.lower() or self._DOMAIN_PATH.search(text) is not None

    def detect(self, doc: Document) -> list[Span]:
        """Matches with trailing punctuation removed (a sentence's final dot is not the URL's)."""
        spans: list[Span] = []
        if not self.may_match(doc.text):
            return spans
        for m in self.PATTERN.finditer(doc.text):
            end = m.end()
            while end > m.start() and doc.text[end - 1] in self._TRAIL:
                end -= 1
            if end - m.start() >= 6:
                spans.append(Span(m.start(), end, self.LABEL, self.SCORE, self.name))
        return spans


_RPPS_CONTEXT = re.compile(
    r"(?:\bRPPS|\bADELI|\bn°\s*(?:professionnel|pro\b)|identifiant\s+national|\bIdNat|\bFINESS)"
    r"[\s:°#n\-.()]{0,12}$",
    re.IGNORECASE,
)


@register("rpps")
class RppsDetector(PatternDetector):
    """RPPS (11 digits, Luhn, usually starting with 10) and ADELI (9 digits) professional numbers."""

    # 11 or 9 digits, "12 34 56789" or "123 456 78901"; the first digit is matched first
    PATTERN = re.compile(
        rf"(?P<value>{_RPPS_START}"
        r"(?:\d{10}|\d{8}|\d[ ]\d{2}[ ]\d{5}|\d{2}[ ]\d{3}[ ]\d{5}))(?![\w]|[.,/]\d)"
    )
    LABEL = Label.RPPS

    def validate(self, match: re.Match[str], text: str) -> float | None:
        """Context words and the Luhn key raise the score; a 9-digit number needs context."""
        digits = re.sub(r"\D", "", match.group("value"))
        context = bool(_RPPS_CONTEXT.search(text[max(0, match.start() - 40) : match.start()]))
        if len(digits) == 9:
            return 0.9 if context else None
        if len(digits) != 11 or (" " in match.group("value") and not context):
            return None
        if context:
            return 0.97
        if digits.startswith("10") and luhn_ok(digits):
            return 0.85
        return None


_PATIENT_CONTEXT = (
    r"IPP|NIP|IEP|INS|N°\s*(?:de\s+)?patient|num[ée]ro\s+(?:de\s+)?patient|identifiant\s+(?:du\s+)?patient"
    r"|ID\s+patient|n°\s*d['’]identification"
)
_STAY_CONTEXT = (
    r"NDA|N°\s*(?:de\s+)?s[ée]jour|num[ée]ro\s+de\s+s[ée]jour|N°\s*(?:de\s+)?dossier|num[ée]ro\s+de\s+dossier"
    r"|dossier|N°\s*d['’]admission|num[ée]ro\s+d['’]admission|N°\s*(?:de\s+)?venue|venue|[ée]pisode"
    r"|N°\s*d['’]hospitalisation|N°\s*(?:de\s+)?passage"
)
# A code: letters and digits (maybe a dash or slash), holding at least four digits.
_CODE = r"(?=(?:[A-Z\-/]*\d){4})[A-Z0-9][A-Z0-9\-/]{3,19}(?<![\-/])"
# The look-ahead names the first letters of the context words: most positions fail on it at
# once instead of trying each context word in turn.
_CONTEXT_CODE = re.compile(
    rf"(?<![\w])(?=[indveé])(?:(?P<ipp>{_PATIENT_CONTEXT})|(?P<nda>{_STAY_CONTEXT}))\b"
    rf"[\s:°#n.\-]{{0,6}}(?:(?:est|=)\s+)?(?P<value>{_CODE})(?![\w])",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(rf"{_BARE_START}\d{{6,}}(?![\w]|[.,/]\d)")
_UNIT_AFTER = re.compile(
    r"\s*(?:[µmnk]?g\b|m?l\b|ui\b|u\b|%|/|mmol|µmol|mol|cp|gél|ampoule|unités?|euros?|€|ans\b|jours?\b|mois\b|km\b|m\b)",
    re.IGNORECASE,
)


@register("patient_ids")
class PatientIdDetector(Detector):
    """Patient identifiers (IPP) and stay numbers (NDA) after their context words.

    A long bare digit run (7 or more) that no earlier step claimed is also flagged as IPP at a
    low score: in a clinical letter an unexplained long number is most often an identifier.
    Numbers followed by a unit (doses, lab values, amounts) are left alone.
    """

    def detect(self, doc: Document) -> list[Span]:
        """Context-introduced codes first, then long unexplained numbers."""
        text = doc.text
        spans: list[Span] = []
        for m in _CONTEXT_CODE.finditer(text):
            label = Label.IPP if m.group("ipp") else Label.NDA
            # "Dossier" alone is weaker evidence than "NDA" or "IPP".
            keyword = (m.group("ipp") or m.group("nda") or "").lower()
            score = 0.85 if keyword in {"dossier", "venue", "épisode", "episode", "ins"} else 0.92
            spans.append(Span(m.start("value"), m.end("value"), label, score, self.name))
        # Characters inside a span found so far: a number touching one is no bare number. Looked
        # up per character, since comparing every number with every span was quadratic.
        taken = bytearray(max([len(text), *(s.end for s in doc.spans)]))
        for s in [*doc.spans, *spans]:
            taken[s.start : s.end] = b"\x01" * s.length
        for m in _BARE_NUMBER.finditer(text):
            if taken.find(1, m.start(), m.end()) >= 0:
                continue
            if _UNIT_AFTER.match(text, m.end()):
                continue
            spans.append(Span(m.start(), m.end(), Label.IPP, 0.5, self.name))
        return spans
