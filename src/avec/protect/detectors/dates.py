"""Dates in every French form, with dates of birth told apart by their context.

Patterns run on :func:`avec.text.fold` of the text (lower case, no accents, same length), so
``fevrier``, ``Février`` and ``FÉVRIER`` are one case. A day and month without a year
(``le 3/4``) is taken only after a word that introduces a date, never after a clinical score
(``EVA 6/10``, ``TA 13/8``, ``MMSE 18/30``). Times of day and years alone are not dates here.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date

from avec.protect.detectors.base import Detector, Document, first_not_after, register
from avec.text import Label, Span

_MONTH = (
    r"(?:janvier|janv\.?|jan\.|fevrier|fevr\.?|fev\.|mars|avril|avr\.?|mai|juin|juillet|juil\.?"
    r"|aout|septembre|sept\.?|sep\.|octobre|oct\.|novembre|nov\.|decembre|dec\.)"
)
_WEEKDAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_UNITS = r"(?:un|deux|trois|quatre|cinq|six|sept|huit|neuf)"
_SPELLED_DAY = (
    rf"(?:premier|(?:vingt|trente)(?:[- ]et[- ]un|-{_UNITS})?|dix-(?:sept|huit|neuf)"
    rf"|onze|douze|treize|quatorze|quinze|seize|dix|{_UNITS})"
)
_NUMBER_WORD = (
    r"(?:et|un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze"
    r"|seize|vingts?|trente|quarante|cinquante|soixante)"
)
_SPELLED_YEAR = (
    rf"(?:deux[- ]mille|mil(?:le)?[- ]neuf[- ]cents?|dix[- ]neuf[- ]cents?)(?:[- ]{_NUMBER_WORD})*"
)
_DAY = rf"(?:1er|1ere|[12]\d|3[01]|0?[1-9]|{_SPELLED_DAY})"

_TEXTUAL = re.compile(
    rf"(?<![\w,.])(?:{_WEEKDAY}\s+)?(?P<day>{_DAY})\s+(?:de\s+)?(?P<month>{_MONTH})(?![\w])"
    rf"(?:\s+(?:\d{{4}}|{_SPELLED_YEAR})(?![\w]))?"
)
_MONTH_YEAR = re.compile(rf"(?<![\w]){_MONTH}(?:\s+|\s*/\s*)(?:\d{{4}}|{_SPELLED_YEAR})(?![\w])")
# Numeric dates open on a digit matched before its look-behind (see first_not_after), so
# "[0-3]?\d" is written "\d" then, after a digit 0-3, an optional second digit.
_DIGIT_START = first_not_after(r"\d", r"[\w/.\-]")
_YEAR_START = first_not_after("[12]", r"[\w/.\-]")  # then 9 after a 1, 0 after a 2: "19", "20"
_DAY_START = first_not_after(r"\d", r"[\w/.\-,]")
_NUMERIC = re.compile(
    rf"(?P<d>{_DIGIT_START}(?:(?<=[0-3])\d)?)(?P<sep>[/.\-])(?P<m>[01]?\d)(?P=sep)(?P<y>\d{{4}}|\d{{2}})"
    r"(?![\w]|[/.\-]\d)"
)
_ISO = re.compile(
    rf"(?P<y>{_YEAR_START}(?:(?<=1)9|(?<=2)0)\d\d)(?P<sep>[/.\-])(?P<m>[01]?\d)(?P=sep)(?P<d>[0-3]?\d)"
    r"(?![\w]|[/.\-]\d)"
)
# The first day of a range whose second end carries the month: "du 12 au 15 mars".
_RANGE_START = re.compile(
    rf"(?<![\w,.])(?P<d>1er|[12]\d|3[01]|0?[1-9])(?=\s+(?:au|et|a|-|ou)\s+(?:le\s+)?(?:{_WEEKDAY}\s+)?"
    rf"(?:1er|[12]\d|3[01]|0?[1-9])\s+(?:de\s+)?{_MONTH}(?![\w]))"
)
# "0?[1-9]|1[0-2]", its first digit matched first: "0" and a digit, a digit alone, or "1" and 0-2.
_MONTH_YEAR_NUM = re.compile(
    rf"(?P<m>{_DIGIT_START}(?:(?<=0)[1-9]|(?<=[1-9])|(?<=1)[0-2]))/(?P<y>(?:19|20)\d\d)(?![\w]|[/.\-]\d)"
)
_DAY_MONTH = re.compile(
    rf"(?P<d>{_DAY_START}(?:(?<=[0-3])\d)?)/(?P<m>[01]?\d)"
    r"(?![\w]|[/.,\-]\d|\s*(?:e|eme)\b)"
)
# Every pattern that names the month has it followed by no letter: a text without such a word
# skips them (most texts write dates with digits).
_MONTH_WORD = re.compile(rf"{_MONTH}(?![\w])")

# Words after which a bare day/month is a date ("le 3/4", "du 12/5 au 14/5", "Date : 3/4").
_DATE_INTRO = re.compile(
    r"(?:\b(?:le|du|au|depuis|des|jusqu'au|jusqu au|avant|apres|entre|et|ce|date|rdv|rendez-vous"
    r"|sortie|entree|intervention|consultation|visite|controle|fait|prevu|prevue|programme|semaine"
    r"|nuit|matin|soir|journee|biologie|bilan|garde)\b[^\n\d]{0,4}|[:\-–]\s*)$"
)
# Clinical scores and measures written as fractions: never dates.
_SCORE_BEFORE = re.compile(
    r"\b(?:ta|pa|pas|pad|tension|pression|eva|evn|ens|en|mmse|moca|gir|glasgow|gcs|score|note|fc|spo2"
    r"|sat|iks|ecog|oms|nyha|apgar|braden|norton|mna|adl|iadl|gds|bref|nihss|rankin|stade|grade"
    r"|classe|dose|posologie|fraction|ratio|visus|acuite|av|od|og|cotation|echelle|algoplus"
    r"|doloplus|barthel|katz|tinetti|douleur|dyspnee|borg|fagerstrom|audit|hamilton|madrs|mini-gds"
    r"|cdr|npi|zarit|iadl|fois|x)\b[^\n\d]{0,12}$"
)

# Birth context right before a date: "né le", "née le", "DDN :", "date de naissance :", ...
_BIRTH_BEFORE = re.compile(
    r"(?:\bne(?:e|\(e\))?\s+(?:le\s+|en\s+)?|\bddn\s*:?\s*|\bnaissance\s*:?\s*(?:le\s+)?"
    r"|\bd\.?\s?d\.?\s?n\.?\s*:?\s*|\bdn\s*:\s*|\bne\s*\(?e?\)?\s*le\s+|\d{1,3}\s*ans\s*[,(]\s*)$"
)
# A name (capitalised word) then "(", ",", or " - ": a date set next to a patient's name.
_AFTER_NAME = re.compile(r"[A-ZÀ-Ý][\w'’\-]*\.?\s*(?:\(|,|[-–])\s*$")
# Dose fractions: "1/2 comprimé", "3/4 de cp".
_DOSE_AFTER = re.compile(
    r"[ \t]*(?:cp|comprim|gel|sachet|amp|dose|flacon|pipette|cuill|goutte|inhal|bouffee|patch|inj|ml|mg"
    r"|de\b|d'|du\b|des\b|par\b|fois|x\b)"
)
# A line about the patient: "Patient : ... - 24/05/1973 - IPP ...", also typed in lower case.
_PATIENT_LINE = re.compile(r"^\s*(?:patiente?|identite|nom|concerne)\b[^\n]*[,(\-–]\s*$")
# _PATIENT_LINE in two parts, so that a long line is not read again for each of its dates: the
# head is matched once per line, then only the end of the line before the date is looked at.
_PATIENT_HEAD = re.compile(r"\s*(?:patiente?|identite|nom|concerne)\b")
_PATIENT_TAIL = ",(-–"
# "\bnee?", written with the "n" first, then what stands before it (see first_not_after)
_NE_START = first_not_after("n", r"\w")
_BIRTH_YEAR = re.compile(rf"{_NE_START}ee?\s+en\s+(?P<y>(?:19|20)\d\d)\b")

_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid_dm(day: int, month: int) -> bool:
    """Whether a day exists in a month (29 February allowed: the year may be unknown)."""
    return 1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month - 1]


_MONTH_PREFIXES = ("jan", "fev", "mar", "avr", "mai", "juin", "juil", "aou", "sep", "oct", "nov", "dec")


def _month_number(month: str) -> int:
    """1-12 for a folded month name or abbreviation."""
    return next(i for i, p in enumerate(_MONTH_PREFIXES, 1) if month.startswith(p))


_YEAR4 = re.compile(r"(?:19|20)\d\d(?!\d)")
_YEAR2 = re.compile(r"[/.\-](\d\d)$")


def _year_of(value: str) -> int | None:
    """Four-digit year of a date string, when it has one (two digits are expanded)."""
    m = _YEAR4.search(value)
    if m:
        return int(m.group(0))
    m = _YEAR2.search(value)
    if m:
        yy = int(m.group(1))
        return 2000 + yy if yy <= date.today().year % 100 else 1900 + yy
    return None


@register("dates")
class DateDetector(Detector):
    """Dates (``DATE``) and dates of birth (``DATE_NAISSANCE``)."""

    def detect(self, doc: Document) -> list[Span]:
        """Find every date, then label the ones whose context says birth."""
        text = doc.text
        folded = doc.folded
        found: list[tuple[int, int, float]] = []
        # Characters already inside a found date: a candidate overlapping one is dropped, in
        # time proportional to its own length (comparing with every date found was quadratic).
        taken = bytearray(len(folded))

        def add(start: int, end: int, score: float) -> None:
            if taken.find(1, start, end) < 0:
                taken[start:end] = b"\x01" * (end - start)
                found.append((start, end, score))

        by_name = _MONTH_WORD.search(folded) is not None  # else _TEXTUAL & co. cannot match
        for m in _TEXTUAL.finditer(folded) if by_name else ():
            day = re.match(r"\d+", m.group("day"))
            if day is None or _valid_dm(int(day.group(0)), _month_number(m.group("month"))):
                add(m.start(), m.end(), 0.92)
        for m in _ISO.finditer(folded):
            if _valid_dm(int(m.group("d")), int(m.group("m"))):
                add(m.start(), m.end(), 0.92)
        for m in _NUMERIC.finditer(folded):
            if _valid_dm(int(m.group("d")), int(m.group("m"))):
                add(m.start(), m.end(), 0.9)
        for m in _MONTH_YEAR.finditer(folded) if by_name else ():
            add(m.start(), m.end(), 0.85)
        for m in _MONTH_YEAR_NUM.finditer(folded):
            if not _SCORE_BEFORE.search(folded, max(0, m.start() - 30), m.start()):
                add(m.start(), m.end(), 0.8)
        for m in _DAY_MONTH.finditer(folded):
            if (
                _valid_dm(int(m.group("d")), int(m.group("m")))
                and self._dm_context(folded, m.start())
                and not _DOSE_AFTER.match(folded, m.end())
            ):
                add(m.start(), m.end(), 0.85)
        for m in _RANGE_START.finditer(folded) if by_name else ():
            add(m.start(), m.end(), 0.85)
        for m in _BIRTH_YEAR.finditer(folded):
            add(m.start("y"), m.end("y"), 0.8)

        years = [y for a, b, _ in found if (y := _year_of(folded[a:b])) is not None]
        # A letter is read now or soon after it was written: today's year bounds the newest date.
        latest = max([*years, date.today().year])
        spans = []
        lines = _Lines(folded)
        for start, end, score in sorted(found):
            birth = self._is_birth(text, folded, start, end, latest, lines)
            label = Label.DATE_NAISSANCE if birth else Label.DATE
            spans.append(Span(start, end, label, score, self.name))
        return spans

    @staticmethod
    def _dm_context(folded: str, start: int) -> bool:
        """Whether a bare day/month is introduced as a date and not as a score."""
        # the line break is looked for in the 40 characters only (rfind from 0 was quadratic)
        low = max(0, start - 40)
        before = folded[max(folded.rfind("\n", low, start) + 1, low) : start]
        if _SCORE_BEFORE.search(before):
            return False
        return bool(_DATE_INTRO.search(before)) or not before.strip()

    @staticmethod
    def _is_birth(text: str, folded: str, start: int, end: int, latest: int, lines: _Lines) -> bool:
        """Birth context before the date, or a full old date set right after a name."""
        line_start = max(text.rfind("\n", max(0, start - 40), start) + 1, start - 40)
        if _BIRTH_BEFORE.search(folded[line_start:start]):
            return True
        year = _year_of(folded[start:end])
        if year is None or latest - year < 12:
            return False
        if _AFTER_NAME.search(text[line_start:start]):
            return True
        return lines.patient_line_before(start)


class _Lines:
    """The lines of one folded text, for the tests that read a whole line before a date."""

    def __init__(self, folded: str) -> None:
        self.folded = folded
        self._breaks: list[int] | None = None
        self._heads: dict[int, int | None] = {}

    def start_of(self, pos: int) -> int:
        """Offset of the first character of the line holding ``pos``."""
        if self._breaks is None:  # found once: one rfind per date is quadratic on a long line
            self._breaks = [i for i, c in enumerate(self.folded) if c == "\n"]
        i = bisect_left(self._breaks, pos)
        return self._breaks[i - 1] + 1 if i else 0

    def patient_line_before(self, pos: int) -> bool:
        """``_PATIENT_LINE.search`` on the line's text before ``pos``: a patient field word
        opens the line, and the last visible character before ``pos`` is ``,``, ``(`` or a dash.
        """
        start = self.start_of(pos)
        folded = self.folded
        if pos > start and (folded[pos - 1].isalnum() or folded[pos - 1] == "_"):
            # The head word could end right at pos, where the text cut at pos says "\b":
            # match on the cut text itself (dates never follow a letter, so this is rare).
            head = _PATIENT_HEAD.match(folded, start, pos)
            head_end = head.end() if head else None
        else:
            # The head word ends on a letter, so before pos-1 here: where it ends does not
            # depend on the cut, and one match per line serves all its dates.
            if start not in self._heads:
                found = _PATIENT_HEAD.match(folded, start)
                self._heads[start] = found.end() if found else None
            head_end = self._heads[start]
            if head_end is not None and head_end >= pos:
                head_end = None
        if head_end is None:
            return False
        last = pos - 1
        while last >= head_end and folded[last].isspace():
            last -= 1
        return last >= head_end and folded[last] in _PATIENT_TAIL
