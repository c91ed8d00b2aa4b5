"""Hostile input for protect and reveal, with the real detectors.

Properties: only the documented errors (``InputError``, ``ProtectionError``, vault errors), never
a crash; ``reveal(protect(x)) == x``; offsets inside the text, sorted and non-overlapping.
``tests/protect/test_properties.py`` covers random spans on a small alphabet; here the inputs are
any Unicode (lone surrogates, NUL, format and combining characters), text imitating surrogate
tags, 1 MB documents and thousands of short lines.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from avec.protect.api import Conversation, InputError, InputTypeError, Protected, protect, reveal
from avec.protect.pipeline import ProtectionError, default_pipeline
from avec.protect.vault import VaultError

# Sized for CI on 2 shared cores: a few hundred real-pipeline calls in all.
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Every code point, lone surrogates (category Cs) and NUL included.
ANY_TEXT = st.text(st.characters(codec=None, categories=None), min_size=0, max_size=300)

ODD = [
    "\x00", "\ud800", "\udfff", "\u200b", "\u200d", "\u00ad", "\ufeff", "\u202e", "\u2028", "\u0301",
    "\U0001f600", "\U0001f1eb\U0001f1f7", "\t", "\r\n", "ﬁ", "Ⅻ", "０６", "ß", "İ", "\\", "{", "%s",
]  # fmt: skip
TAGLIKE = [
    "[NOM_1]", "[nom_2 ]", "[PRENOM_1]", "[DATE_3]", "[NOM_", "NOM_1]", "[[NOM_1]]", "[ NOM_1 ]",
    "[TEL_1][TEL_2]", "[NOM_0]", "[NOM_99999999999999999999]", "[SECU_1]", "[é_1]",
]  # fmt: skip
CLINICAL = [
    "Mme ", "M. ", "Dr ", "Jean-Pierre ", "DUPONT", "Zoé ", "née le ", "12/03/1950", " 06 12 34 56 78",
    "CHU de Nantes", "2 84 05 75 123 456 78", " rue des Lilas, 44000 Nantes", "marie.dupont@mail.fr",
    "maladie de Parkinson", " amlodipine 5 mg ", ", ", ". ", "\n", " ", "IPP 123456",
]  # fmt: skip
MIXED = st.lists(st.sampled_from(ODD + TAGLIKE + CLINICAL), min_size=1, max_size=30).map("".join)


def check_protected(text: str, result: Protected, conv: Conversation) -> None:
    """The invariants every successful protection must satisfy."""
    assert reveal(result.text, conv) == text
    previous_end = 0
    for span in result.spans:
        assert previous_end <= span.start < span.end <= len(text)
        previous_end = span.end
    previous_out = 0
    for rep in result.replacements:
        assert 0 <= rep.start < rep.end <= len(text)
        assert previous_out <= rep.out_start < rep.out_end <= len(result.text)
        assert result.text[rep.out_start : rep.out_end] == rep.surrogate
        previous_out = rep.out_end


def protect_or_documented_error(text: str, conv: Conversation, mode: str) -> Protected | None:
    """Protect, accepting only the documented refusals; None when refused."""
    try:
        return protect(text, conv, mode=mode)
    except (InputError, ProtectionError) as exc:
        assert str(exc)  # a French reason, never empty
        return None


@FUZZ
@given(ANY_TEXT, st.sampled_from(["surrogate", "tag"]), st.integers(0, 2**32))
def test_any_unicode(text: str, mode: str, seed: int) -> None:
    conv = Conversation.new(seed=seed)
    result = protect_or_documented_error(text, conv, mode)
    if result is None:
        assert not text.strip()  # the only refusal expected here: empty or blank text
    else:
        check_protected(text, result, conv)


@FUZZ
@given(st.lists(MIXED, min_size=1, max_size=3), st.sampled_from(["surrogate", "tag"]), st.integers(0, 2**32))
def test_tags_odd_characters_and_identifiers_across_turns(turns: list[str], mode: str, seed: int) -> None:
    conv = Conversation.new(seed=seed)
    for text in turns:
        result = protect_or_documented_error(text, conv, mode)
        if result is not None:
            check_protected(text, result, conv)


@FUZZ
@given(MIXED, ANY_TEXT, st.integers(0, 2**32))
def test_reveal_any_answer(text: str, answer: str, seed: int) -> None:
    conv = Conversation.new(seed=seed)
    result = protect_or_documented_error(text, conv, "tag")
    if result is None:
        return
    for candidate in (answer, answer + result.text, result.text[::-1]):
        try:
            out = reveal(candidate, conv)
        except VaultError:  # expiry is the only documented refusal
            continue
        assert isinstance(out, str)


@pytest.mark.parametrize("value", [None, b"Jean DUPONT", 42, ["Jean"]])
def test_non_text_is_refused(value: object) -> None:
    with pytest.raises(InputTypeError):
        protect(value)  # type: ignore[arg-type]
    with pytest.raises(InputTypeError):
        reveal(value, Conversation.new())  # type: ignore[arg-type]


def test_one_megabyte_document() -> None:
    # Mostly clinical prose with an identifier every few lines, about 1 MB.
    block = (
        "Évolution favorable sous amlodipine 5 mg, tension 13/8, pas de plainte ce jour.\n" * 6
        + "Revu par le Dr Martin le 12/03/2024, patiente Mme Zoé DUPONT, tél 06 12 34 56 78.\n"
    )
    text = block * (1_000_000 // len(block) + 1)
    assert len(text) >= 1_000_000
    conv = Conversation.new(seed=3)
    result = protect(text, conv, mode="tag")
    assert "DUPONT" not in result.text and "06 12 34 56 78" not in result.text
    check_protected(text, result, conv)


def test_thousands_of_short_lines() -> None:
    parts = ["M. DUPONT", "[NOM_1]", "5 mg", "", "\x00", "Zoé", "06 12 34 56 78", "ok", "\ud83d", "["]
    text = "\n".join(f"{i} {parts[i % len(parts)]}" for i in range(5000))
    conv = Conversation.new(seed=4)
    result = protect(text, conv, mode="surrogate")
    check_protected(text, result, conv)
    assert "DUPONT" not in result.text


# Found by this fuzzing, then fixed: invisible, decomposed or full-width characters inside an
# identifier used to hide it from the detectors (now read through a normalised view).
EVASIONS = [
    ("Mme Zoe\u0301 DUPONT est venue.", "DUPONT", "accent décomposé (NFD) avant le nom"),
    ("Mme Zoé\u200bDUPONT est venue.", "DUPONT", "espace de largeur nulle"),
    ("Mme Zoé DU\u00adPONT est venue.", "PONT", "trait d'union conditionnel"),
    ("Mme\x00Zoé\x00DUPONT est venue.", "DUPONT", "octets NUL comme séparateurs"),
    ("Tél : 06\u200b12 34 56 78", "34 56 78", "espace de largeur nulle dans un numéro"),
    ("Tél : ０６ １２ ３４ ５６ ７８", "３４ ５６ ７８", "chiffres pleine chasse"),
]


@pytest.mark.parametrize(("text", "secret", "why"), EVASIONS, ids=[e[2] for e in EVASIONS])
def test_invisible_characters_do_not_hide_identifiers(text: str, secret: str, why: str) -> None:
    found = default_pipeline().detect(text)
    assert any(s.start <= text.index(secret) < s.end for s in found), why
