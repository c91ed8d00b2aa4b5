"""Shifting French dates by a constant number of days while keeping their written format.

A conversation shifts every date by the same offset, so intervals (length of stay, age at an
event, delay between two exams) stay true while the calendar dates no longer match the
patient's. The output keeps the original layout: separators, zero padding, two- or four-digit
year, month written in full or abbreviated, case and accents.
"""

from __future__ import annotations

import datetime as dt
import re

from avec.text import FRENCH_MONTHS, fold

_MONTHS = FRENCH_MONTHS
_ABBR = ("janv", "févr", "mars", "avr", "mai", "juin", "juil", "août", "sept", "oct", "nov", "déc")
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTH_INDEX: dict[str, tuple[int, bool]] = {}
for _i, _name in enumerate(_MONTHS):
    _MONTH_INDEX[fold(_name)] = (_i + 1, False)
for _i, _name in enumerate(_ABBR):
    _MONTH_INDEX.setdefault(fold(_name), (_i + 1, True))
_MONTH_INDEX["fev"] = (2, True)
_MONTH_INDEX["dec"] = (12, True)

# Year used for dates written without one: a leap year, so that 29/02 stays valid.
_NO_YEAR = 2000

_NUMERIC = re.compile(r"(?P<d>\d{1,2})(?P<s1>[/.\-])(?P<m>\d{1,2})(?:(?P<s2>[/.\-])(?P<y>\d{4}|\d{2}))?")
_ISO = re.compile(r"(?P<y>\d{4})(?P<s1>[\-/.])(?P<m>\d{1,2})(?P<s2>[\-/.])(?P<d>\d{1,2})")
_TEXTUAL = re.compile(
    r"(?:(?P<wd>[^\W\d_]+)(?P<sw>,?\s+))?(?P<d>\d{1,2})(?P<er>er)?(?P<s1>\s+)"
    r"(?P<mon>[^\W\d_]+)(?P<dot>\.?)(?:(?P<s2>\s+)(?P<y>\d{4}))?",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(r"(?P<mon>[^\W\d_]+)(?P<dot>\.?)(?P<s2>\s+)(?P<y>\d{4})", re.IGNORECASE)


def _expand_year(two: str) -> int:
    # Pivot: clinical texts mention births last century and events this one.
    value = int(two)
    return 2000 + value if value <= 30 else 1900 + value


def _pad(value: int, width: int) -> str:
    return f"{value:0{width}d}" if width == 2 else str(value)


def _styled(word: str, like: str, strip: bool = False) -> str:
    """Write ``word`` in the case style of ``like``; without accents when ``strip``."""
    if strip:
        word = fold(word)
    if like.isupper():
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word.lower()


def _shift(day: int, month: int, year: int, days: int) -> dt.date | None:
    try:
        return dt.date(year, month, day) + dt.timedelta(days=days)
    except (ValueError, OverflowError):
        return None


def _shift_numeric(m: re.Match[str], days: int, iso: bool) -> str | None:
    year_txt = m["y"]
    year = _NO_YEAR if year_txt is None else int(year_txt) if len(year_txt) == 4 else _expand_year(year_txt)
    new = _shift(int(m["d"]), int(m["m"]), year, days)
    if new is None:
        return None
    d_txt = _pad(new.day, len(m["d"]))
    m_txt = _pad(new.month, len(m["m"]))
    if iso:
        return f"{new.year:04d}{m['s1']}{m_txt}{m['s2']}{d_txt}"
    out = f"{d_txt}{m['s1']}{m_txt}"
    if year_txt is not None:
        y_txt = f"{new.year:04d}" if len(year_txt) == 4 else f"{new.year % 100:02d}"
        out += f"{m['s2']}{y_txt}"
    return out


def _month_word(index: int, like: str, original: int, abbreviated: bool) -> str:
    names = _ABBR if abbreviated else _MONTHS
    canonical = names[original - 1]
    # Accents are dropped only when the writer dropped them ("fevrier"), not for "mars".
    strip = fold(canonical) != canonical and fold(like) == like.lower()
    return _styled(names[index - 1], like, strip)


def _shift_textual(m: re.Match[str], days: int) -> str | None:
    found = _MONTH_INDEX.get(fold(m["mon"]))
    if found is None:
        return None
    month, abbreviated = found
    year_txt = m["y"]
    new = _shift(int(m["d"]), month, int(year_txt) if year_txt else _NO_YEAR, days)
    if new is None:
        return None
    out = ""
    if m["wd"] is not None:
        if fold(m["wd"]) not in _WEEKDAYS:
            return None
        # The weekday is only recomputed when the year is known; otherwise it is dropped.
        if year_txt:
            out = _styled(_WEEKDAYS[new.weekday()], m["wd"]) + m["sw"]
    day_txt = _pad(new.day, len(m["d"]))
    if new.day == 1 and (m["er"] is not None or len(m["d"]) == 1):
        day_txt += m["er"] or "er"
    out += day_txt + m["s1"] + _month_word(new.month, m["mon"], month, abbreviated) + m["dot"]
    if year_txt:
        out += f"{m['s2']}{new.year:04d}"
    return out


def _shift_month_year(m: re.Match[str], days: int) -> str | None:
    found = _MONTH_INDEX.get(fold(m["mon"]))
    if found is None:
        return None
    month, abbreviated = found
    # A month-level date moves by whole months, at least one, in the direction of the offset.
    months = max(1, round(abs(days) / 30.44)) * (1 if days > 0 else -1)
    total = int(m["y"]) * 12 + (month - 1) + months
    year, month0 = divmod(total, 12)
    if not 1 <= year <= 9999:
        return None
    return _month_word(month0 + 1, m["mon"], month, abbreviated) + m["dot"] + m["s2"] + f"{year:04d}"


def shift_date(value: str, days: int) -> str | None:
    """Shift a written date by ``days`` days, keeping its format.

    Args:
        value: the date as written (``12/03/2024``, ``12.03.24``, ``3/4``, ``2024-03-12``,
            ``12 mars 2024``, ``1er janv. 2024``, ``mars 2024``).
        days: a non-zero number of days.

    Returns:
        The shifted date in the same format, or None when ``value`` is not a date this module
        understands or the result would equal the input.
    """
    if days == 0:
        return None
    result: str | None = None
    if m := _ISO.fullmatch(value):
        result = _shift_numeric(m, days, iso=True)
    elif m := _NUMERIC.fullmatch(value):
        result = _shift_numeric(m, days, iso=False)
    elif m := _TEXTUAL.fullmatch(value):
        result = _shift_textual(m, days)
    elif m := _MONTH_YEAR.fullmatch(value):
        result = _shift_month_year(m, days)
    if result is None or result == value:
        return None
    return result
