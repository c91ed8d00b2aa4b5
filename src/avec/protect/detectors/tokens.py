"""A small French word tokenizer for name detection: words, initials, elisions, line breaks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from avec.text import fold

# Letters and digits stay together ("CHA2DS2", "J7", "SpO2") so that a code never yields a name.
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|\n|[^\w\s]", re.UNICODE)
# Elided articles and pronouns split off a word ("l'infirmière", "d'Angers"), but not the
# capitalised prefixes of surnames ("N'Diaye", "O'Brien", "D'Amico").
_WORD_ONLY = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]*)*")
_ELISION = re.compile(r"^(qu|jusqu|lorsqu|puisqu|[ldjmnstc])['’](?=\w)", re.IGNORECASE)


# The only letter whose lower case depends on its neighbours (final sigma): when a text holds
# it, a slice of the folded text may differ from the folded slice, so tokens fold themselves.
_SIGMA = "\u03a3"


@dataclass(slots=True)
class Token:
    """One token with its offsets; ``key`` is the folded form without a trailing dot.

    ``folded`` (``fold(text)``), ``key``, ``is_word``, ``is_initial`` (an initial with its dot:
    ``J.``, ``J.-P.``) and ``is_capitalised`` (starts with a capital, which includes ALL CAPS and
    initials) are computed once by :func:`tokenize`: the name rules consult them many times per
    token.
    """

    start: int
    end: int
    text: str
    folded: str = field(repr=False, compare=False)
    key: str = field(repr=False, compare=False)
    is_word: bool = field(repr=False, compare=False)
    is_initial: bool = field(repr=False, compare=False)
    is_capitalised: bool = field(repr=False, compare=False)

    @property
    def is_upper(self) -> bool:
        """ALL CAPS word of at least two letters."""
        if self.text.endswith("."):
            return False  # initials ("J.-P.") are not ALL CAPS words
        letters = [c for c in self.text if c.isalpha()]
        return len(letters) >= 2 and all(c.isupper() for c in letters)

    @property
    def is_newline(self) -> bool:
        """A line break."""
        return self.text == "\n"


def _token(start: int, end: int, text: str, folded: str) -> Token:
    """A token of ``text`` (the slice ``[start, end)``) whose folded form is ``folded``."""
    return Token(
        start,
        end,
        text,
        folded,
        folded.rstrip("."),
        # isalpha() settles most words without the regex: letters only is a word
        text.isalpha() or _WORD_ONLY.fullmatch(text) is not None,
        text[-1] == "." and _is_initial(text),
        text[0].isupper(),
    )


def _is_initial(text: str) -> bool:
    """An initial with its dot: ``J.``, ``J.-P.``."""
    return (
        len(text) >= 2
        and text[0].isalpha()
        and text.endswith(".")
        and (len(text.replace("-", "").replace(".", "")) <= 3)
    )


def tokenize(text: str, folded: str | None = None) -> list[Token]:
    """Split ``text`` into tokens, joining initials with their dot and splitting elisions.

    Args:
        text: the text to split.
        folded: ``fold(text)`` when the caller has it; tokens then take slices of it instead
            of folding one by one (the same strings, faster).
    """
    if folded is None or _SIGMA in text:
        folded = None

    def make(start: int, end: int) -> Token:
        piece = text[start:end]
        return _token(start, end, piece, fold(piece) if folded is None else folded[start:end])

    spans = [m.span() for m in _TOKEN.finditer(text)]
    if folded is None:
        raw = [make(start, end) for start, end in spans]
    else:  # the same with make() inlined: this runs for every token
        raw = [_token(start, end, text[start:end], folded[start:end]) for start, end in spans]
    out: list[Token] = []
    n = len(raw)
    skip = 0  # tokens already joined into an initial
    for i, tok in enumerate(raw):
        if skip:
            skip -= 1
            continue
        if len(tok.text) == 1:
            nxt = raw[i + 1] if i + 1 < n else None
            if (
                nxt is not None
                and nxt.text == "."
                and nxt.start == tok.end
                and tok.is_word
                and (tok.start == 0 or text[tok.start - 1].isspace() or text[tok.start - 1] in "(-'\"")
            ):
                # "J." or "J.-P." (the second letter arrives as "-P" + ".")
                end = nxt.end
                j = i + 2
                if (
                    j + 2 < n
                    and raw[j].text == "-"
                    and raw[j].start == end
                    and len(raw[j + 1].text) == 1
                    and raw[j + 2].text == "."
                ):
                    end = raw[j + 2].end
                    j += 3
                out.append(make(tok.start, end))
                skip = j - i - 1
                continue
        elif tok.is_word and ("'" in tok.text or "’" in tok.text):
            m = _ELISION.match(tok.text)
            if m and (m.group(1).islower() or tok.text[m.end()].islower()):
                cut = tok.start + m.end()
                out.append(make(tok.start, cut))
                out.append(make(cut, tok.end))
                continue
        out.append(tok)
    return out
