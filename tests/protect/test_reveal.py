"""Reveal: tolerant matching of rewritten surrogates, streaming."""

from __future__ import annotations

import pytest
from fakepipe import LETTER_RULES, FakePipeline

from avec.protect.api import Conversation, protect, reveal
from avec.protect.vault import VaultExpiredError

TEXT = "Mme Marie DUPONT, suivie au CHU de Nantes, tél 06 12 34 56 78. Jean-Pierre Le Goff est son fils."


@pytest.fixture()
def conv() -> Conversation:
    c = Conversation.new(seed=11)
    protect(TEXT, c, pipeline=FakePipeline(LETTER_RULES))
    return c


def _sur(conv: Conversation, original: str) -> str:
    return next(e.surrogate for e in conv.vault if e.original == original and not e.part)


def test_case_civility_and_partial(conv: Conversation) -> None:
    nom = _sur(conv, "DUPONT")
    assert reveal(f"Madame {nom.title()} va bien", conv) == "Madame Dupont va bien"
    assert reveal(f"madame {nom.lower()}", conv) == "madame dupont"
    assert reveal(f"M. {nom}", conv) == "M. DUPONT"
    jp = _sur(conv, "Jean-Pierre")
    first = jp.split("-")[0]
    assert reveal(f"{first} est venu", conv) == "Jean est venu"
    lg = _sur(conv, "Le Goff")
    assert reveal(f"M. {lg.split()[1]}", conv) == "M. Goff"


def test_line_break_and_spaces(conv: Conversation) -> None:
    jp = _sur(conv, "Jean-Pierre")
    assert reveal(jp.replace("-", " \n "), conv) == "Jean-Pierre"
    tel = _sur(conv, "06 12 34 56 78")
    assert reveal(tel.replace(" ", ""), conv) == "06 12 34 56 78"


def test_tags_odd_spacing_and_case() -> None:
    c = Conversation.new(seed=3)
    protect(TEXT, c, mode="tag", pipeline=FakePipeline(LETTER_RULES))
    assert reveal("[nom_1] et [ PRENOM_1 ]", c) == "DUPONT et Marie"


def test_unrelated_text_untouched(conv: Conversation) -> None:
    text = "Aucun nom ici, ni Martine ni 06."
    assert reveal(text, conv) == text


def test_expired_refuses() -> None:
    now = [0.0]
    c = Conversation.new(seed=1, clock=lambda: now[0])
    out = protect("Dupont", c, pipeline=FakePipeline(LETTER_RULES)).text
    now[0] += 10**9
    with pytest.raises(VaultExpiredError) as err:
        reveal(out, c)
    assert "expiré" in str(err.value) and "Dupont" not in str(err.value)
    assert reveal("rien à voir", c) == "rien à voir"
    assert c.purge() >= 1


def test_stream_holds_split_surrogate(conv: Conversation) -> None:
    nom = _sur(conv, "DUPONT")
    stream = conv.stream()
    first = stream.feed("Bonjour M. " + nom[:3])
    assert nom[:3] not in first
    rest = stream.feed(nom[3:] + ", " + "x" * 200) + stream.flush()
    assert first + rest == "Bonjour M. DUPONT, " + "x" * 200
