"""Property tests: reveal(protect(x)) == x, and chunked streaming equals whole reveal."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from avec.protect.api import Conversation, protect, reveal
from avec.text import Label, Span

LABELS = [label.value for label in Label]
ALPHABET = st.sampled_from([*"aeiouDPtnrm éÉ-'./_[]0123456789\n", "NOM", "[NOM_1]", "Martin", "06 "])
TEXTS = st.lists(ALPHABET, min_size=1, max_size=40).map("".join).filter(lambda t: t.strip())


class RandomSpans:
    def __init__(self, cuts: list[tuple[int, int, str]]) -> None:
        self.cuts = cuts

    def detect(self, text: str) -> list[Span]:
        out: list[Span] = []
        for a, b, label in self.cuts:
            a, b = a % (len(text) + 1), b % (len(text) + 1)
            a, b = min(a, b), max(a, b)
            if b > a and not any(s.start < b and a < s.end for s in out):
                out.append(Span(a, b, label))
        return sorted(out, key=lambda s: s.start)


CUTS = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60), st.sampled_from(LABELS)), max_size=6)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(TEXTS, CUTS, st.sampled_from(["surrogate", "tag"]), st.integers(0, 2**32))
def test_roundtrip_any_text(text: str, cuts: list[tuple[int, int, str]], mode: str, seed: int) -> None:
    conv = Conversation.new(seed=seed)
    result = protect(text, conv, mode=mode, pipeline=RandomSpans(cuts))  # type: ignore[arg-type]
    assert reveal(result.text, conv) == text


@FAST
@given(st.lists(st.tuples(TEXTS, CUTS), min_size=2, max_size=3), st.integers(0, 2**32))
def test_roundtrip_across_turns(turns: list[tuple[str, list[tuple[int, int, str]]]], seed: int) -> None:
    conv = Conversation.new(seed=seed)
    for text, cuts in turns:
        result = protect(text, conv, pipeline=RandomSpans(cuts))  # type: ignore[arg-type]
        assert reveal(result.text, conv) == text


@FAST
@given(TEXTS, CUTS, st.lists(st.integers(1, 12), min_size=1, max_size=20), st.integers(0, 2**32))
def test_stream_equals_whole(
    text: str, cuts: list[tuple[int, int, str]], sizes: list[int], seed: int
) -> None:
    conv = Conversation.new(seed=seed)
    answer = protect(text, conv, pipeline=RandomSpans(cuts)).text * 2  # type: ignore[arg-type]
    stream = conv.stream()
    out, pos, i = [], 0, 0
    while pos < len(answer):
        size = sizes[i % len(sizes)]
        out.append(stream.feed(answer[pos : pos + size]))
        pos, i = pos + size, i + 1
    out.append(stream.flush())
    assert "".join(out) == reveal(answer, conv)


REAL_PARTS = st.sampled_from([
    "Mme ", "Dr ", "Jean-Pierre ", "DUPONT ", "née le ", "12/03/1950", " 06 12 34 56 78", ", ",
    "CHU de Nantes", " 2 84 05 75 123 456 ", "rue des Lilas", " 44000 Nantes", "\n", "maladie de ",
    "Parkinson", " 5 mg ", "[NOM_1]", "[nom_2] ", "é", "-", "'", "Martin", " le 3/4 ", "ok",
])
REAL_TEXTS = st.lists(REAL_PARTS, min_size=1, max_size=25).map("".join).filter(lambda t: t.strip())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(REAL_TEXTS, st.sampled_from(["surrogate", "tag"]), st.integers(0, 2**32))
def test_roundtrip_with_the_real_detectors(text: str, mode: str, seed: int) -> None:
    conv = Conversation.new(seed=seed)
    result = protect(text, conv, mode=mode)
    assert reveal(result.text, conv) == text
    for span in result.spans:
        assert 0 <= span.start < span.end <= len(text)
