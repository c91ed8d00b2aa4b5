"""The leak campaign's "réponses mal restituées", reproduced without HTTP: a surrogate holding
another one, streamed through the gateway's low-latency revealer.

``LowLatencyRevealer`` held back text from the first place a surrogate *could* begin, found
with the ``regex`` module's partial matching. But a partial search prefers a complete match
found further on to a partial one beginning earlier: with "henri.riviere@" received and
"Rivière" a surrogate of the conversation, it reported the complete "riviere" and released
"henri.", so the client got "henri.mercier@tele2.fr" instead of the original e-mail. E-mail and
address surrogates are drawn from the same lists as names, hence about 3 answers in 1,000 in
conversations of four people.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from cryptography.fernet import Fernet
from hypothesis import given, settings
from hypothesis import strategies as st

from avec.config import Settings
from avec.gateway.auth import Principal
from avec.gateway.config import Policy
from avec.gateway.conversations import Conversations, MemoryBlobStore
from avec.gateway.policy import EffectivePolicy, PolicyDetector
from avec.gateway.protection import ProtectCache, RequestProtector, protect_request
from avec.gateway.revealing import LowLatencyRevealer, reveal_message
from avec.gateway.streaming import StreamTransformer
from avec.protect.api import Conversation
from avec.protect.reveal import Matcher, reveal_text
from avec.protect.surrogates import State
from avec.protect.vault import Vault
from multiturn_cases import (
    FILLER,
    NESTED,
    NESTED_ANSWER,
    NESTED_EXPECTED,
    NIRS,
    PEOPLE,
    RULES,
    STREETS,
    ZIPS,
    nested_vault,
)
from rulespipe import RulesPipeline


def _nested_conversation() -> Conversation:
    return Conversation(nested_vault(), State.new(0))


def _low_latency(conv: Conversation, text: str, size: int) -> str:
    rev = LowLatencyRevealer(conv)
    return "".join(rev.feed(text[i : i + size]) for i in range(0, len(text), size)) + rev.flush()


@pytest.mark.parametrize("size", range(1, 10))
def test_low_latency_reveals_a_surrogate_holding_another(size: int) -> None:
    conv = _nested_conversation()
    assert reveal_text(NESTED_ANSWER, Matcher(conv.vault)) == NESTED_EXPECTED
    assert _low_latency(conv, NESTED_ANSWER, size) == NESTED_EXPECTED


def test_low_latency_still_releases_plain_text_at_once() -> None:
    rev = LowLatencyRevealer(_nested_conversation())
    assert rev.feed(FILLER) == FILLER and rev.held == 0


# --- the campaign's shape: turns through the gateway's own protection and reveal steps ---------

POLICY = EffectivePolicy(Policy(), None, False)
KEY = Fernet.generate_key()
SETTINGS = Settings()


def _turn(n: int) -> str:
    first, last, civ = PEOPLE[n % len(PEOPLE)]
    mail = f"{first}.{last}".lower().encode("ascii", "ignore").decode()
    return (
        f"{civ} {first} {last}, NIR {NIRS[n % 4]}. {FILLER}à {mail}@laposte.net ; "
        f"{FILLER}au {STREETS[n % 4]}, {ZIPS[(n + 1) % 4]} Nantes."
    )


def _stream(conv: Conversation, answer: str) -> str:
    """The answer through the gateway's stream transformer, in the stand-in's 5-character pieces."""
    t = StreamTransformer(conv, "modele", client_wants_usage=False)
    chunks: list[dict[str, Any]] = [{"id": "s", "choices": [{"index": 0, "delta": {"role": "assistant"}}]}]
    chunks += [
        {"id": "s", "choices": [{"index": 0, "delta": {"content": answer[i : i + 5]}}]}
        for i in range(0, len(answer), 5)
    ]
    chunks.append({"id": "s", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    out = [t.process(c) for c in chunks] + [t.finish()]
    return "".join(
        ch["delta"].get("content") or "" for group in out for chunk in group for ch in chunk["choices"]
    )


@pytest.mark.parametrize("seed", range(12))
def test_turns_streamed_and_whole_come_back_exactly(seed: int) -> None:
    conversations = Conversations(MemoryBlobStore(3600), KEY, SETTINGS)
    principal = Principal("poste-1")
    key, owner = conversations.storage_key(principal, f"dossier-{seed}"), conversations.owner(principal)
    conversations.save(key, owner, Conversation.new(SETTINGS, seed=seed))  # a seeded vault
    cache = ProtectCache()
    rng = random.Random(seed)
    messages: list[dict[str, str]] = []
    for t in range(4):
        text = _turn(rng.randrange(100) + t)
        messages.append({"role": "user", "content": text})
        conv, previous = conversations.load_versioned(key, owner)
        protector = RequestProtector(conv, PolicyDetector(RulesPipeline(RULES), POLICY), cache, key, SETTINGS)
        sent = protect_request({"model": "m", "messages": messages}, protector).body["messages"]
        conversations.save(key, owner, conv, previous)
        # The model quotes every user message it was sent, the last one first.
        quoted, expected = (
            "Réponse : " + "\n".join(m["content"] for m in [ms[-1], *ms[:-1]] if m["role"] == "user")
            for ms in (sent, messages)
        )
        whole = reveal_message({"role": "assistant", "content": quoted}, conv)["content"]
        assert whole == expected, f"graine {seed}, tour {t}"
        assert _stream(conv, quoted) == whole, f"graine {seed}, tour {t} (flux)"
        messages.append({"role": "assistant", "content": whole})


WORDS = ["Henri", "Rivière", "Morvan", "Emmanuel", "Paul", "Lefort"]
PIECES = st.sampled_from(
    [*WORDS, " ", ", ", ".", "@", "-", "boulevard ", "7 ", "58 229 ", "henri.riviere@tele2.fr", "x", "\n"]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(["NOM", "PRENOM", "VILLE"])), max_size=4),
    st.lists(PIECES, min_size=1, max_size=40),
    st.lists(st.integers(1, 9), min_size=1, max_size=8),
)
def test_low_latency_equals_whole_reveal_with_nested_surrogates(
    words: list[tuple[str, str]], pieces: list[str], sizes: list[int]
) -> None:
    vault = Vault(3600)
    for surrogate, original, label in NESTED[:1] + NESTED[2:3] + NESTED[4:]:
        vault.add(surrogate, original, label)
    for i, (word, label) in enumerate(words):
        if vault.get(word) is None:
            vault.add(word, f"Original{i}", label)
    conv = Conversation(vault, State.new(0))
    text = "".join(pieces)
    rev, out, pos, i = LowLatencyRevealer(conv), [], 0, 0
    while pos < len(text):
        out.append(rev.feed(text[pos : pos + sizes[i % len(sizes)]]))
        pos, i = pos + sizes[i % len(sizes)], i + 1
    assert "".join(out) + rev.flush() == reveal_text(text, Matcher(conv.vault))
