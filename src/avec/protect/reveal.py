"""Restoring the originals in an answer written with surrogates.

An AI rarely copies a surrogate verbatim: it changes case (``MARTIN``, ``martin``), writes
``Madame Martin`` where the request said ``Mme Martin``, names only the surname, breaks a line in
the middle of a name or rewrites a tag as ``[nom_1]``. Each vault entry therefore gives two
needles: the exact surrogate, and a tolerant pattern matched on a case- and accent-folded copy
of the answer (same length, so offsets carry over). Where several needles match, the leftmost
wins, then the longest, then the exact one.

:class:`StreamRevealer` applies the same scan to a stream of chunks and holds back only a tail
short enough to be the beginning of a surrogate, so a surrogate cut between two chunks never
reaches the client unrevealed, and the concatenated output equals :func:`reveal_text`.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from avec.protect.vault import Entry, Vault, VaultExpiredError
from avec.text import fold

_GAP = 8  # most whitespace accepted where the surrogate has one space or hyphen
_WORD = re.compile(r"\w")
_WORD_RUN = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
TAG_SHAPE = re.compile(r"\[([^\W\d_]+)_(\d+(?:\.\d+)?)\]")
_DIGIT_LABELS = frozenset({"TEL", "SECU", "IBAN", "RPPS", "IPP", "NDA", "ZIP"})
_LITERAL_LABELS = frozenset({"MAIL", "URL"})
_CASED_LABELS = frozenset({"NOM", "PRENOM", "VILLE", "HOPITAL", "ADRESSE", "DATE", "DATE_NAISSANCE"})


def fold_same_length(text: str) -> str:
    """Fold case and accents character by character, guaranteeing the same length."""
    folded = fold(text)
    if len(folded) == len(text):
        return folded
    out = []  # rare: a character whose lower case is longer; fold it on its own
    for ch in text:
        f = fold(ch)
        out.append(f if len(f) == 1 else ch)
    return "".join(out)


def is_word_char(ch: str) -> bool:
    """Whether ``ch`` counts as a letter or digit for word boundaries (regex ``\\w``)."""
    return bool(_WORD.fullmatch(ch))


def bounded(body: str, value: str) -> str:
    """Add word boundaries on the sides of ``value`` that are letters or digits."""
    head = r"(?<!\w)" if value and is_word_char(value[0]) else ""
    tail = r"(?!\w)" if value and is_word_char(value[-1]) else ""
    return head + body + tail


def needle(surrogate: str, label: str) -> tuple[str, int]:
    """The tolerant pattern for a surrogate, to match on folded text, and its longest match.

    Returns:
        A regex source without capturing groups, and an upper bound of the match length.
    """
    folded = fold_same_length(surrogate)
    tag = TAG_SHAPE.fullmatch(folded)
    if tag is not None:
        sp = r"\s{0,3}"
        body = rf"\[{sp}{re.escape(tag[1])}{sp}_{sp}{re.escape(tag[2])}{sp}\]"
        return body, len(folded) + 12
    if label in _DIGIT_LABELS:
        chars = [c for c in folded if c.isalnum()]
        if not chars:
            return bounded(re.escape(folded), folded), len(folded)
        body = r"[\s.\-]{0,3}".join(re.escape(c) for c in chars)
        # Bounded on the digits themselves, also when the surrogate starts with "+": digits
        # glued to other letters or digits ("0033…", "A33…") are another number, and a match
        # always starting and ending with a whole word is what :func:`text_keys` relies on.
        return bounded(body, "".join(chars)), len(chars) * 4
    if label in _LITERAL_LABELS:
        return bounded(re.escape(folded), folded), len(folded)
    parts: list[str] = []
    longest = 0
    pieces = re.findall(r"\s+|-|[^\s-]+", folded)
    for i, piece in enumerate(pieces):
        # a separator between two parts may be respaced or broken across lines; one at an
        # edge is matched literally, or it would swallow the text around the surrogate
        if (piece.isspace() or piece == "-") and 0 < i < len(pieces) - 1:
            parts.append(rf"(?:\s{{1,{_GAP}}}|\s{{0,3}}-\s{{0,3}})")
            longest += _GAP
        else:
            parts.append(re.escape(piece))
            longest += len(piece)
    return bounded("".join(parts), folded), longest


def needle_pieces(surrogate: str, label: str) -> list[str] | None:
    """Substrings of the folded text that any match of :func:`needle` must contain.

    Returns None when the needle tolerates changes inside words (tags, digit identifiers), so
    that no cheap pre-check is valid.
    """
    folded = fold_same_length(surrogate)
    if label in _DIGIT_LABELS or TAG_SHAPE.fullmatch(folded):
        return None
    pieces = [p for p in re.split(r"[\s\-]+", folded) if p]
    return pieces or None


_NUMBER_SEPARATORS = re.compile(r"[\s.\-]+")


def squeeze_separators(folded: str) -> str:
    """``folded`` without the separators a number's needle skips (see :func:`number_run`)."""
    return _NUMBER_SEPARATORS.sub("", folded)


def number_run(surrogate: str, label: str) -> str | None:
    """For a number surrogate, what any match of its needle becomes once the separators are
    removed: a text whose :func:`squeeze_separators` form lacks it cannot contain the number.

    Returns None for other surrogates (and for tags, whose needle is another one).
    """
    folded = fold_same_length(surrogate)
    if label not in _DIGIT_LABELS or TAG_SHAPE.fullmatch(folded):
        return None
    chars = "".join(c for c in folded if c.isalnum())
    return chars or None


_SPACING = re.compile(r"[\s\-]+")
_TAG_TEXT = re.compile(r"\[\s{0,3}([^\W\d_]+)\s{0,3}_\s{0,3}(\d+(?:\.\d+)?)\s{0,3}\]")
_KEY_WORDS = 3  # words in a key: longer surrogates are keyed on their first words
_KEY_CHARS = 34  # letters and digits in a number key (an IBAN has at most 34)
# Five letters in a row: a word, never part of a number surrogate (those without a key are drawn
# again), so text keys for numbers stop at such words.
_LETTER_RUN = re.compile(r"[^\W\d_]{5,}")


def _words_key(folded: str, runs: list[re.Match[str]]) -> str:
    parts = [runs[0][0]]
    for before, run in itertools.pairwise(runs):
        parts.append(_SPACING.sub(" ", folded[before.end() : run.start()]))
        parts.append(run[0])
    return "".join(parts)


def needle_key(surrogate: str, label: str) -> str | None:
    """A key that :func:`text_keys` yields for every text where the surrogate's needle matches.

    Keys let a conversation remember, without keeping its texts, what they contain: a new
    surrogate whose key was seen may be found in an earlier text, and is not used.

    Returns:
        None when no such key can be built (a number without any digit): the caller must
        treat the surrogate as possibly present.
    """
    folded = fold_same_length(surrogate)
    tag = TAG_SHAPE.fullmatch(folded)
    if tag is not None:
        return f"t:{tag[1]}_{tag[2]}"
    if label in _DIGIT_LABELS:
        chars = "".join(c for c in folded if c.isalnum())
        if not _DIGIT.search(chars[:_KEY_CHARS]) or _LETTER_RUN.search(chars[:_KEY_CHARS]):
            return None
        return ("d:" if len(chars) <= _KEY_CHARS else "p:") + chars[:_KEY_CHARS]
    runs = list(_WORD_RUN.finditer(folded))
    return "w:" + _words_key(folded, runs[:_KEY_WORDS]) if runs else None


def text_keys(text: str, skip: Iterable[tuple[int, int]] = ()) -> set[str]:
    """The keys of every place of ``text`` where some needle could match (see :func:`needle_key`).

    A needle match starts and ends on a whole word (or on a character that is not a letter
    or digit), so the keys are: each run of one to three words, with the spacing between
    them reduced to one space; each run of letters-and-digits groups joined by short
    separators (numbers); each tag. Keys lying entirely inside one of the ``skip`` ranges
    (the surrogates just written) are left out: a later surrogate found only inside an
    earlier one is never revealed there, the longer earlier match wins.
    """
    folded = fold_same_length(text)
    ranges = sorted(skip)
    limit_of = _inside(ranges)

    def inside(start: int, end: int) -> bool:
        return limit_of(start) >= end

    keys: set[str] = set()
    runs = [(m.start(), m.end(), m[0]) for m in _WORD_RUN.finditer(folded)]
    raw_gaps = [folded[a[1] : b[0]] for a, b in itertools.pairwise(runs)]
    gaps = [" " if g == " " else _SPACING.sub(" ", g) for g in raw_gaps]
    words = [w for _, _, w in runs]
    ends = [e for _, e, _ in runs]
    # Built a whole level at a time (every run of one word, then of two...): list comprehensions
    # instead of a loop per word, since every text sent goes through here.
    limit = _inside_limits([a for a, _, _ in runs], ranges)
    level = ["w:" + w for w in words]
    for width in range(1, _KEY_WORDS + 1):
        if width > 1:
            level = [level[i] + gaps[i + width - 2] + words[i + width - 1] for i in range(len(level) - 1)]
        if limit is None:
            keys.update(level)
        else:  # a run of words lying inside one surrogate just written is not a key
            # ``limit`` has an entry per word, longer than ``level`` once width > 1.
            ranged = zip(level, limit, ends[width - 1 :], strict=False)
            keys.update(k for k, lim, end in ranged if lim < end)
    for first, last in _number_segments(folded, runs, raw_gaps):
        segment = [(a, b, w, _DIGIT.search(w) is not None) for a, b, w in runs[first : last + 1]]
        _number_keys(segment, limit_of, keys)
    for tag in _TAG_TEXT.finditer(folded):
        if not inside(tag.start(), tag.end()):
            keys.add(f"t:{tag[1]}_{tag[2]}")
    return keys


def _number_segments(folded: str, runs: list[tuple[int, int, str]], gaps: list[str]) -> list[tuple[int, int]]:
    """The runs of words number keys are made of, as ``(first, last)`` indices into ``runs``.

    A number is read across words joined by one to three separators (spaces, dots, hyphens),
    as its needle does; no number key holds five letters in a row (see :func:`needle_key`), so
    a word that long without a digit ends the run. Only runs holding a digit give keys: each is
    found from its digits, without reading the words of the text that are far from any number.
    """
    if not runs:
        return []
    starts = [a for a, _, _ in runs]
    # Every digit lies inside a word (\d is part of \w).
    holders = sorted({bisect.bisect_right(starts, m.start()) - 1 for m in _DIGIT.finditer(folded)})

    def stops(k: int) -> bool:
        word = runs[k][2]
        return _LETTER_RUN.search(word) is not None and _DIGIT.search(word) is None

    def joined(k: int) -> bool:  # words k and k + 1
        return len(gaps[k]) <= 3 and _NUMBER_SEPARATORS.fullmatch(gaps[k]) is not None

    out: list[tuple[int, int]] = []
    for k in holders:
        if out and k <= out[-1][1]:
            continue  # inside the run of an earlier digit
        first = last = k
        while first > 0 and joined(first - 1) and not stops(first - 1):
            first -= 1
        while last + 1 < len(runs) and joined(last) and not stops(last + 1):
            last += 1
        out.append((first, last))
    return out


def _number_keys(
    segment: list[tuple[int, int, str, bool]], limit_of: Callable[[int], int], keys: set[str]
) -> None:
    """Add the number keys of one segment: each run of groups from a start, once it has a digit."""
    last_digit = max((k for k, group in enumerate(segment) if group[3]), default=-1)
    for i in range(last_digit + 1):  # a run starting after the last digit never gets one
        start = segment[i][0]
        limit = limit_of(start)
        acc, digit = "", False
        for _, end, word, has_digit in segment[i:]:
            acc += word
            digit = digit or has_digit
            if len(acc) > _KEY_CHARS:
                if _DIGIT.search(acc[:_KEY_CHARS]) and limit < end:
                    keys.add("p:" + acc[:_KEY_CHARS])
                break
            if digit and limit < end:
                keys.add("d:" + acc)


def _inside_limits(starts: list[int], ranges: list[tuple[int, int]]) -> list[int] | None:
    """For each start offset, the end of the range holding it (-1 outside): ``[start, end)``
    lies inside a range iff that limit is ``>= end``. None when there are no ranges."""
    if not ranges:
        return None
    limit = _inside(ranges)
    return [limit(start) for start in starts]


def _inside(ranges: list[tuple[int, int]]) -> Callable[[int], int]:
    """The end of the sorted, disjoint range holding an offset, or -1."""
    starts = [a for a, _ in ranges]

    def limit(start: int) -> int:
        k = bisect.bisect_right(starts, start) - 1
        return ranges[k][1] if k >= 0 else -1

    return limit


def _case_style(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return "upper"
    if letters and all(c.islower() for c in letters):
        return "lower"
    if letters and letters[0].isupper():
        return "title"
    return "mixed"


def _restyle(original: str, style: str) -> str:
    if style == "upper":
        return original.upper()
    if style == "lower":
        return original.lower()
    if style == "title":
        return re.sub(r"[^\W\d_]+", lambda m: m[0][:1].upper() + m[0][1:].lower(), original)
    return original


@dataclass(frozen=True, slots=True)
class Match:
    """One surrogate found in an answer: ``answer[start:end]`` becomes ``entry``'s original."""

    start: int
    end: int
    entry: Entry
    replacement: str


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    # A conversation's vault changes little between turns: its patterns are compiled once.
    return re.compile(pattern)


class Matcher:
    """Finds the surrogates of a set of vault entries in a text.

    Single-word surrogates (most of them: name parts, cities) are found by looking up each word
    of the text in a dictionary; only the others (several words, digits, tags, addresses) go
    into one compiled pattern. Compiling a pattern per vault costs milliseconds per request,
    a dictionary nothing.

    Args:
        entries: the vault's entries (expired ones included: revealing them raises).
    """

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._exact: dict[str, Entry] = {}
        groups: dict[str, list[Entry]] = {}
        needles: dict[str, tuple[str, int]] = {}
        for e in entries:
            self._exact[e.surrogate] = e
            key = fold_same_length(e.surrogate)
            groups.setdefault(key, []).append(e)
            needles.setdefault(key, needle(e.surrogate, e.label))
        self._groups = groups
        # A single-word key whose needle is the word itself, bounded: found by word look-up.
        self._words = {k for k in groups if _WORD_RUN.fullmatch(k) and needles[k][0] == bounded(k, k)}
        complex_exact = sorted(
            (s for s in self._exact if fold_same_length(s) not in self._words), key=lambda s: (-len(s), s)
        )
        self._exact_re = (
            _compiled("|".join(bounded(re.escape(s), s) for s in complex_exact)) if complex_exact else None
        )
        self._keys = sorted((k for k in groups if k not in self._words), key=lambda k: (-len(k), k))
        self._fuzzy_re = _compiled("|".join(f"({needles[k][0]})" for k in self._keys)) if self._keys else None
        self.max_length = max([len(s) for s in self._exact] + [n[1] for n in needles.values()] + [0])

    def __bool__(self) -> bool:
        return bool(self._exact)

    def _resolve(self, key: str, matched: str) -> tuple[Entry, str]:
        group = self._groups[key]
        first = next((e for e in group if not e.part), group[0])
        if first.label not in _CASED_LABELS or TAG_SHAPE.fullmatch(first.surrogate):
            return first, first.original
        style = _case_style(matched)
        for e in group:
            if _case_style(e.surrogate) == style:
                return e, e.original
        return first, _restyle(first.original, style)

    def _word_match(self, raw: str, folded: str, pos: int) -> Match | None:
        """The first whole word at or after ``pos`` that is a single-word surrogate."""
        if not self._words:
            return None
        # Start at a word boundary: a run that began before ``pos`` is not a whole word there.
        while pos < len(folded) and pos > 0 and folded[pos].isalnum() and folded[pos - 1].isalnum():
            pos += 1
        for m in _WORD_RUN.finditer(folded, pos):
            if m.group(0) in self._words and (m.start() == 0 or not _WORD.match(folded, m.start() - 1)):
                found = raw[m.start() : m.end()]
                entry = self._exact.get(found)
                if entry is not None:
                    return Match(m.start(), m.end(), entry, entry.original)
                entry, replacement = self._resolve(m.group(0), found)
                return Match(m.start(), m.end(), entry, replacement)
        return None

    def scan(self, raw: str, folded: str, pos: int, until: int | None = None) -> list[Match]:
        """Non-overlapping matches starting at or after ``pos`` (and before ``until``)."""
        out: list[Match] = []
        limit = len(raw) if until is None else until
        ex = fz = None
        wd: Match | None = None
        searched_words = False
        while pos < limit:
            if self._exact_re is not None and (ex is None or ex.start() < pos):
                ex = self._exact_re.search(raw, pos)
            if self._fuzzy_re is not None and (fz is None or fz.start() < pos):
                fz = self._fuzzy_re.search(folded, pos)
            if not searched_words or (wd is not None and wd.start < pos):
                wd = self._word_match(raw, folded, pos)
                searched_words = True
            best: Match | None = None
            if ex is not None:
                best = Match(ex.start(), ex.end(), self._exact[ex[0]], self._exact[ex[0]].original)
            if fz is not None and (
                best is None or fz.start() < best.start or (fz.start() == best.start and fz.end() > best.end)
            ):
                key = self._keys[(fz.lastindex or 1) - 1]
                entry, replacement = self._resolve(key, raw[fz.start() : fz.end()])
                best = Match(fz.start(), fz.end(), entry, replacement)
            if wd is not None and (
                best is None or wd.start < best.start or (wd.start == best.start and wd.end > best.end)
            ):
                best = wd
            if best is None or best.start >= limit:
                break
            out.append(best)
            pos = best.end
        return out


def matcher_for(vault: Vault) -> Matcher:
    """The matcher of ``vault``'s entries, built again only once the vault has changed.

    Protection checks its result with the same vault the answer is then revealed with: the
    needles of a request are computed once. A matcher is never changed once built, so threads
    may share it.
    """
    cached = vault.derived
    if cached is not None and cached[0] == vault.version and isinstance(cached[1], Matcher):
        return cached[1]
    matcher = Matcher(vault)
    vault.derived = (vault.version, matcher)
    return matcher


def _apply(raw: str, start: int, end: int, matches: list[Match], check: Callable[[Entry], None]) -> str:
    out, cur = [], start
    for m in matches:
        check(m.entry)
        out.append(raw[cur : m.start])
        out.append(m.replacement)
        cur = m.end
    out.append(raw[cur:end])
    return "".join(out)


def expiry_check(now: float) -> Callable[[Entry], None]:
    """A check refusing entries expired at ``now``."""

    def check(entry: Entry) -> None:
        if entry.expired(now):
            raise VaultExpiredError(
                "la correspondance des pseudonymes a expiré : impossible de restituer les "
                "données d'origine (protégez à nouveau le document)"
            )

    return check


def reveal_text(answer: str, matcher: Matcher, check: Callable[[Entry], None] = lambda e: None) -> str:
    """Replace every surrogate found in ``answer`` by its original."""
    if not matcher or not answer:
        return answer
    return _apply(answer, 0, len(answer), matcher.scan(answer, fold_same_length(answer), 0), check)


class StreamRevealer:
    """Reveal a streamed answer chunk by chunk.

    Output is released as soon as it cannot be part of a surrogate; at most
    ``matcher.max_length + 1`` characters are held back. Concatenating every :meth:`feed` result
    and :meth:`flush` gives exactly :func:`reveal_text` of the whole answer.
    """

    def __init__(self, matcher: Matcher, check: Callable[[Entry], None] = lambda e: None) -> None:
        self._matcher = matcher
        self._check = check
        self._hold = matcher.max_length + 2
        self._buf = ""
        self._ctx = ""  # the last released raw character, for word-boundary look-behind

    def feed(self, chunk: str) -> str:
        """Add a chunk; return the revealed text that is now safe to send."""
        self._buf += chunk
        if not self._matcher:
            out, self._buf = self._buf, ""
            return out
        safe = len(self._buf) - self._hold
        if safe <= 0:
            return ""
        return self._release(safe)

    def flush(self) -> str:
        """Reveal and return everything still held (call once, at the end of the stream)."""
        out = self._release(len(self._buf), final=True) if self._buf else ""
        return out

    def _release(self, safe: int, final: bool = False) -> str:
        text = self._ctx + self._buf
        base = len(self._ctx)
        matches = self._matcher.scan(text, fold_same_length(text), base) if self._matcher else []
        cut = base + safe
        kept: list[Match] = []
        for m in matches:
            if final or m.end <= cut:
                kept.append(m)
            else:
                cut = min(cut, m.start) if m.start < cut else cut
                break
        if final:
            cut = len(text)
        out = _apply(text, base, cut, kept, self._check)
        self._ctx = text[cut - 1 : cut] if cut > 0 else self._ctx
        self._buf = text[cut:]
        return out
