"""Detection on dense and long inputs, and the faster helpers that must equal what they replace.

No timing here: these tests pin behaviour (same spans, same tokens, same matches), so that the
speed-ups of the detectors can never change what is found.
"""

from __future__ import annotations

import random
import re

import pytest

from avec.protect.detectors.base import first_not_after
from avec.protect.detectors.dates import _PATIENT_LINE, _Lines
from avec.protect.detectors.tokens import tokenize
from avec.protect.pipeline import default_pipeline
from avec.protect.resolve import resolve
from avec.text import _ACCENTS, _LOWER_SAFE, Span, fold

LINE = "Mme Jeanne DUPONT née le 12/03/1954, 12 rue des Lilas 44000 Nantes, tél 06 12 34 56 78\n"


def _shifted(spans: list[Span], by: int) -> list[tuple[int, int, str]]:
    return [(s.start + by, s.end + by, s.label) for s in spans]


def test_dense_lines_are_each_found_as_alone() -> None:
    pipe = default_pipeline()
    alone = pipe.detect(LINE)
    assert {s.label for s in alone} >= {"PRENOM", "NOM", "DATE_NAISSANCE", "ADRESSE", "ZIP", "VILLE", "TEL"}
    count = 400  # about 36,000 characters
    got = [(s.start, s.end, s.label) for s in pipe.detect(LINE * count)]
    assert got == [span for k in range(count) for span in _shifted(alone, k * len(LINE))]


def test_long_run_of_particles_and_one_line_of_dates() -> None:
    pipe = default_pipeline()
    assert pipe.detect("De " * 20_000) == []
    line = "Patient : DUPONT Jean" + ", 12/03/1954" * 2_000
    spans = [s for s in pipe.detect(line) if s.label.startswith("DATE")]
    assert len(spans) == 2_000
    assert {s.label for s in spans} == {"DATE_NAISSANCE"}


def test_patient_line_test_equals_the_regex() -> None:
    rng = random.Random(3)
    parts = [
        "patiente",
        "patient",
        "nom",
        "identite",
        "concerne",
        " ",
        "\t",
        "\n",
        ",",
        "(",
        "-",
        "–",
        "a",
        "1",
        "_",
        "e",
        "\u00a0",
        ":",
    ]
    for _ in range(3_000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 12)))
        lines = _Lines(text)
        for pos in range(len(text) + 1):
            line = text[text.rfind("\n", 0, pos) + 1 : pos]
            assert lines.patient_line_before(pos) == bool(_PATIENT_LINE.search(line)), (text, pos)


def _reference_fold(value: str) -> str:
    # The plain definition: both tables over every character, then lower case.
    return value.translate(_LOWER_SAFE).translate(_ACCENTS).lower()


def test_fold_equals_its_plain_definition() -> None:
    for code in range(0x0, 0x3000):
        ch = chr(code)
        assert fold(f"a{ch}B") == _reference_fold(f"a{ch}B"), hex(code)
    rng = random.Random(1)
    alphabet = "aAéÉΣσİıßſK .'’-\n0" + "".join(chr(c) for c in range(0xC0, 0x250))
    for _ in range(5_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert fold(text) == _reference_fold(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mme J.-P. de La Tour d'Auvergne, l'infirmière d'Angers, N'Diaye (J.) CHA2DS2 ²",
        "ΑΣ.Β ΣΑΣ-Σ Mme ΟΔΥΣΣΕΑΣ et İbrahim ſ",  # final sigma: tokens fold themselves
    ],
)
def test_tokens_from_the_folded_text_equal_tokens_folded_alone(text: str) -> None:
    fields = ("start", "end", "text", "folded", "key", "is_word", "is_initial", "is_capitalised")
    fast = [tuple(getattr(t, f) for f in fields) for t in tokenize(text, fold(text))]
    slow = [tuple(getattr(t, f) for f in fields) for t in tokenize(text)]
    assert fast == slow
    assert all(t.folded == fold(t.text) and t.key == fold(t.text.rstrip(".")) for t in tokenize(text))


def _resolve_by_comparison(text: str, spans: list[Span]) -> list[Span]:
    """resolve() written the plain way: compare each span with every span kept."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (-s.score, -s.length, s.start)):
        pieces, cursor = [], span.start
        for other in sorted(kept, key=lambda s: s.start):
            if other.end > cursor and other.start < span.end:
                if other.start > cursor:
                    pieces.append((cursor, other.start))
                cursor = max(cursor, other.end)
        if cursor < span.end:
            pieces.append((cursor, span.end))
        for a, b in pieces:
            if (a, b) != (span.start, span.end):
                while a < b and not text[a].isalnum():
                    a += 1
                while b > a and not text[b - 1].isalnum():
                    b -= 1
            if b > a:
                kept.append(Span(a, b, span.label, span.score, span.source))
    return sorted(kept, key=lambda s: s.start)


def test_resolve_equals_plain_comparison() -> None:
    rng = random.Random(7)
    for _ in range(400):
        text = "".join(rng.choice("ab1 ,-") for _ in range(60))
        spans = []
        for _ in range(rng.randint(0, 12)):
            a = rng.randrange(59)
            spans.append(Span(a, rng.randint(a + 1, 60), rng.choice("XYZ"), rng.choice([0.5, 0.8, 0.9])))
        assert resolve(text, spans) == _resolve_by_comparison(text, spans)


@pytest.mark.parametrize(("first", "before"), [(r"\d", r"[\w.,/]"), ("[1-478]", r"[\w.]"), ("n", r"\w")])
def test_first_not_after_equals_a_leading_lookbehind(first: str, before: str) -> None:
    plain = re.compile(rf"(?<!{before}){first}\w?")
    fast = re.compile(rf"{first_not_after(first, before)}\w?")
    rng = random.Random(0)
    for _ in range(2_000):
        text = "".join(rng.choice("0123456789n.,/ a_-") for _ in range(20))
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
