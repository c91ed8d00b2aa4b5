"""Structured identifiers: NIR, IBAN, phones, e-mails, URLs, RPPS/ADELI, patient and stay numbers.

Each family is a small regular-expression detector with a ``validate`` hook (after Presidio's
``validate_result`` and docdeid's ``_validate_match``): the hook returns the span score, or
``None`` to drop the match. A shape that fails its checksum is still returned, with a lower
score, because a mistyped NIR or IBAN is still personal data.
"""

from __future__ import annotations

import re
from typing import ClassVar

from avec.protect.detectors.base import Detector, Document, register
from avec.text import Label, Span

# Separators people put between digit groups (space, no-break spaces, dot, hyphen).
_SEP = r"[ \u00a0\u202f.\-]?"


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

    def validate(self, match: re.Match[str], text: str) -> float | None:
        """Return the score of ``match``, or ``None`` to drop it. Default: :attr:`SCORE`."""
        return self.SCORE

    def label_for(self, match: re.Match[str]) -> str:
        """Label of the span; subclasses may choose per match."""
        return self.LABEL

    def detect(self, doc: Document) -> list[Span]:
        """Run the pattern over the text and keep the matches ``validate`` accepts."""
        spans = []
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
        rf"(?<![\w.])([1-478]{_SEP}\d\d{_SEP}(?:0[1-9]|1[0-2]|[2-9]\d){_SEP}"
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

    def validate(self, match: re.Match[str], text: str) -> float | None:
        """1.0 with a good checksum, 0.75 for an IBAN shape with a wrong one."""
        compact = re.sub(r"[^0-9A-Za-z]", "", match.group(0)).upper()
        if len(compact) < 15:
            return None
        return 1.0 if iban_ok(compact) else 0.75


@register("phone")
class PhoneDetector(PatternDetector):
    """French phone numbers: national (0X), international (+33, 0033, with an optional (0))."""

    PATTERN = re.compile(
        r"(?<![\w+/,.])(?:(?:\+|00)33[ \u00a0.\-]?(?:\(0\)[ \u00a0.\-]?)?|0)[1-9]"
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


@register("url")
class UrlDetector(PatternDetector):
    """Web addresses: with a scheme, starting with ``www.``, or a bare domain followed by a path."""

    PATTERN = re.compile(
        r"(?<![\w@.\-/])(?:https?://|www\.)[^\s<>\"'«»]+"
        r"|(?<![\w@.\-/])[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.[a-z]{2,10}/[^\s<>\"'«»]*",
        re.IGNORECASE,
    )
    LABEL = Label.URL
    SCORE = 0.97
    _TRAIL: ClassVar[str] = ".,;:!?)]}'\""

    def detect(self, doc: Document) -> list[Span]:
        """Matches with trailing punctuation removed (a sentence's final dot is not the URL's)."""
        spans = []
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

    PATTERN = re.compile(r"(?<![\w.,/])(?P<value>\d{11}|\d{9}|\d{2}[ ]\d{2}[ ]\d{5}|\d{3}[ ]\d{3}[ ]\d{5})"
                         r"(?![\w]|[.,/]\d)")
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
_CONTEXT_CODE = re.compile(
    rf"(?<![\w])(?:(?P<ipp>{_PATIENT_CONTEXT})|(?P<nda>{_STAY_CONTEXT}))\b"
    rf"[\s:°#n.\-]{{0,6}}(?:(?:est|=)\s+)?(?P<value>{_CODE})(?![\w])",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"(?<![\w.,/\-+])\d{7,}(?![\w]|[.,/]\d)")
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
        taken = [*doc.spans, *spans]
        for m in _BARE_NUMBER.finditer(text):
            if any(s.start < m.end() and m.start() < s.end for s in taken):
                continue
            if _UNIT_AFTER.match(text, m.end()):
                continue
            spans.append(Span(m.start(), m.end(), Label.IPP, 0.5, self.name))
        return spans
