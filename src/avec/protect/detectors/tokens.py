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


@dataclass(frozen=True, slots=True)
class Token:
    """One token with its offsets; ``key`` is the folded form without a trailing dot."""

    start: int
    end: int
    text: str
    # Computed once: the name rules consult them many times per token.
    key: str = field(init=False, repr=False, compare=False)
    is_word: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", fold(self.text.rstrip(".")))
        object.__setattr__(self, "is_word", _WORD_ONLY.fullmatch(self.text) is not None)

    @property
    def is_initial(self) -> bool:
        """An initial with its dot: ``J.``, ``J.-P.``."""
        return len(self.text) >= 2 and self.text[0].isalpha() and self.text.endswith(".") and (
            len(self.text.replace("-", "").replace(".", "")) <= 3
        )

    @property
    def is_upper(self) -> bool:
        """ALL CAPS word of at least two letters."""
        if self.text.endswith("."):
            return False  # initials ("J.-P.") are not ALL CAPS words
        letters = [c for c in self.text if c.isalpha()]
        return len(letters) >= 2 and all(c.isupper() for c in letters)

    @property
    def is_capitalised(self) -> bool:
        """Starts with a capital (includes ALL CAPS and initials)."""
        return self.text[0].isupper()

    @property
    def is_newline(self) -> bool:
        """A line break."""
        return self.text == "\n"


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, joining initials with their dot and splitting elisions."""
    raw = [Token(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text)]
    out: list[Token] = []
    i = 0
    while i < len(raw):
        tok = raw[i]
        nxt = raw[i + 1] if i + 1 < len(raw) else None
        prev_char = text[tok.start - 1] if tok.start > 0 else " "
        if (
            tok.is_word
            and (prev_char.isspace() or prev_char in "(-'\"")
            and len(tok.text) == 1
            and nxt is not None
            and nxt.text == "."
            and nxt.start == tok.end
        ):
            # "J." or "J.-P." (the second letter arrives as "-P" + ".")
            end = nxt.end
            j = i + 2
            if (
                j + 2 < len(raw)
                and raw[j].text == "-"
                and raw[j].start == end
                and len(raw[j + 1].text) == 1
                and raw[j + 2].text == "."
            ):
                end = raw[j + 2].end
                j += 3
            out.append(Token(tok.start, end, text[tok.start : end]))
            i = j
            continue
        m = _ELISION.match(tok.text) if tok.is_word else None
        if m and (m.group(1).islower() or tok.text[m.end()].islower()):
            cut = tok.start + m.end()
            out.append(Token(tok.start, cut, text[tok.start : cut]))
            out.append(Token(cut, tok.end, text[cut : tok.end]))
        else:
            out.append(tok)
        i += 1
    return out
