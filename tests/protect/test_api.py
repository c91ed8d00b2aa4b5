"""Public API: protect/reveal, input checks, fail closed, escapes, saved conversations."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from fakepipe import LETTER_RULES, FakePipeline

import avec
from avec.config import Settings
from avec.protect.api import (
    Conversation,
    EmptyInputError,
    InputTooLargeError,
    InputTypeError,
    protect,
    reveal,
)
from avec.protect.pipeline import ProtectionError
from avec.text import Span

PIPE = FakePipeline(LETTER_RULES)


def test_public_api() -> None:
    assert {"protect", "reveal", "Label", "Span"} <= set(avec.__all__)


def test_roundtrip_and_consistency_across_turns() -> None:
    conv = Conversation.new(seed=5)
    one = protect("Marie Dupont, le 12/03/2024.", conv, pipeline=PIPE)
    two = protect("Et Dupont revient le 12/03/2024.", conv, pipeline=PIPE)
    assert one.text.split()[1].rstrip(",") in two.text
    assert (
        reveal(one.text + "\n" + two.text, conv)
        == "Marie Dupont, le 12/03/2024.\nEt Dupont revient le 12/03/2024."
    )


def test_input_checks() -> None:
    with pytest.raises(EmptyInputError):
        protect("   ", pipeline=PIPE)
    with pytest.raises(InputTypeError):
        protect(b"Dupont", pipeline=PIPE)  # type: ignore[arg-type]
    with pytest.raises(InputTooLargeError) as err:
        protect("Dupont " * 20, pipeline=PIPE, settings=Settings(max_input_chars=10))
    assert "Dupont" not in str(err.value)
    assert isinstance(err.value, ValueError)


class Boom:
    def detect(self, text: str) -> list[Span]:
        raise RuntimeError(text)


def test_fail_closed_without_echo() -> None:
    with pytest.raises(ProtectionError) as err:
        protect("Jean Dupont", pipeline=Boom())  # type: ignore[arg-type]
    assert "Dupont" not in str(err.value)


def test_escape_text_equal_to_previous_surrogate() -> None:
    conv = Conversation.new(seed=9)
    first = protect("Dupont", conv, pipeline=PIPE)
    text = f"Le {first.text} mentionné ici est un autre mot."
    second = protect(text, conv, pipeline=PIPE)
    assert first.text not in second.text
    assert reveal(second.text, conv) == text


def test_sealed_conversation_continues() -> None:
    key = Fernet.generate_key()
    conv = Conversation.new(seed=2)
    out = protect("Paul Durand", conv, pipeline=PIPE).text
    again = Conversation.from_blob(conv.to_blob(key), key)
    assert reveal(out, again) == "Paul Durand"
    assert protect("Durand", again, pipeline=PIPE).text == out.split()[1]


def test_repr_hides_content() -> None:
    result = protect("Paul Durand", pipeline=PIPE)
    assert "Durand" not in repr(result)


def test_a_value_protected_once_stays_protected_in_the_conversation() -> None:
    from avec.protect.api import Conversation, protect, reveal

    conv = Conversation.new(seed=3)
    first = "Mme Odile Ferrand, 3 rue des Lilas, 44000 Nantes."
    protect(first, conv)
    # A later turn: the postal code alone, where no detector would see an identifier.
    later = "Le dossier 44000 est complet ; merci."
    result = protect(later, conv)
    assert "44000" not in result.text
    assert reveal(result.text, conv) == later
