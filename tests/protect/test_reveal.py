"""Reveal: tolerant matching of rewritten surrogates, streaming."""

from __future__ import annotations

import random
import re

import pytest
from fakepipe import LETTER_RULES, FakePipeline

from avec.protect.api import Conversation, protect, reveal
from avec.protect.reveal import (
    expiry_check,
    fold_same_length,
    matcher_for,
    needle,
    number_run,
    reveal_text,
    squeeze_separators,
)
from avec.protect.vault import Vault, VaultExpiredError

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


def test_matcher_rebuilt_only_when_the_vault_changes() -> None:
    now = [1000.0]
    vault = Vault(10, lambda: now[0])
    vault.add("Martin", "Dupont", "NOM")
    first = matcher_for(vault)
    assert matcher_for(vault) is first
    vault.add("06 11 22 33 44", "07 98 76 54 32", "TEL")
    second = matcher_for(vault)
    assert second is not first
    assert reveal_text("M. Martin, 06.11.22.33.44", second) == "M. Dupont, 07 98 76 54 32"
    # A renewed mapping carries a new expiry: a matcher built before would refuse it later.
    now[0] += 9
    vault.add("Martin", "Dupont", "NOM")
    renewed = matcher_for(vault)
    assert renewed is not second
    now[0] += 5  # the first mapping of Martin has expired, its renewal has not
    check = expiry_check(now[0])
    assert reveal_text("M. Martin", renewed, check) == "M. Dupont"
    with pytest.raises(VaultExpiredError):
        reveal_text("06 11 22 33 44", renewed, check)
    assert vault.purge() == 1
    assert matcher_for(vault) is not renewed
    assert reveal_text("06 11 22 33 44", matcher_for(vault)) == "06 11 22 33 44"
    assert vault.copy().derived is None


def test_number_run_is_in_every_text_the_number_needle_matches() -> None:
    rng = random.Random(4)
    matches = 0
    seps = [" ", ".", "-", "  ", " - ", "\u00a0", "", "/", ",", "\n"]
    for _ in range(3000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(2, 12)))
        label = rng.choice(["TEL", "SECU", "IPP", "RPPS", "IBAN"])
        surrogate = " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
        run = number_run(surrogate, label)
        assert run == digits
        # Texts written around and inside the number with random separators, some not skipped.
        pieces = [rng.choice(["", "tel ", "FR", "n° ", "x"])]
        for ch in rng.choice([digits, digits[:-1] + rng.choice("0123456789"), digits[1:]]):
            pieces += [ch, rng.choice(seps) if rng.random() < 0.5 else ""]
        text = "".join(pieces) + rng.choice(["", " mg", "9", "."])
        folded = fold_same_length(text)
        matched = re.search(needle(surrogate, label)[0], folded) is not None
        if matched:
            matches += 1
            assert run in squeeze_separators(folded), (surrogate, text)
    assert matches > 300  # the property was exercised, not only on texts without the number
    assert number_run("[TEL_1]", "TEL") is None
    assert number_run("Martin", "NOM") is None
