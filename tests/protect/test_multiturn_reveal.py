"""Multi-turn reveal: every turn's protected text, echoed at once or quoted turns later, reveals
exactly, and streaming gives what revealing the whole answer gives.

The leak campaign found about 3 answers in 1,000 "mal restituées" in multi-turn conversations.
E-mail and address surrogates are built from the same word lists as names, so one may hold
another surrogate ("henri.riviere@tele2.fr" while "Rivière" stands for a surname); the gateway's
low-latency stream then released the beginning of the longer surrogate and revealed only the
name inside it (see ``tests/gateway/test_multiturn_gateway.py``). Separately, a surrogate drawn in
a later turn could be a word already sent in an earlier one ("le voisin" then M. Dupont as
"Voisin"), so an answer quoting the earlier message came back with "le dupont".
"""

from __future__ import annotations

import random
import re

import pytest
from cryptography.fernet import Fernet
from hypothesis import given, settings
from hypothesis import strategies as st

from avec.protect import fakes
from avec.protect.api import Conversation, protect, reveal
from avec.protect.reveal import (
    Matcher,
    StreamRevealer,
    fold_same_length,
    needle,
    needle_key,
    reveal_text,
    text_keys,
)
from avec.protect.surrogates import Seen, civility_gender
from avec.protect.vault import seal
from multiturn_cases import (
    FILLER,
    NESTED_ANSWER,
    NESTED_EXPECTED,
    NIRS,
    PEOPLE,
    PHONES,
    RULES,
    STREETS,
    ZIPS,
    nested_vault,
)
from rulespipe import RulesPipeline

KEY = Fernet.generate_key()


def streamed(revealer: StreamRevealer, text: str, size: int) -> str:
    out = [revealer.feed(text[i : i + size]) for i in range(0, len(text), size)]
    return "".join(out) + revealer.flush()


@pytest.mark.parametrize("size", range(1, 10))
def test_surrogate_inside_another_is_revealed_whole_and_streamed(size: int) -> None:
    matcher = Matcher(nested_vault())
    assert reveal_text(NESTED_ANSWER, matcher) == NESTED_EXPECTED
    assert streamed(StreamRevealer(matcher), NESTED_ANSWER, size) == NESTED_EXPECTED


# --- a campaign-like conversation: one new person per turn, the whole history re-protected ---

PIPE = RulesPipeline(RULES)


def _mail(first: str, last: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    return plain.lower() + "@laposte.net"


def turn_text(n: int) -> str:
    """The n-th turn: a new person, identifiers after long plain stretches (as in the campaign)."""
    first, last, civ = PEOPLE[n % len(PEOPLE)]
    return (
        f"{civ} {first} {last}, née le {10 + n % 18}/0{1 + n % 9}/19{40 + n % 50}, NIR {NIRS[n % 4]}. "
        f"{FILLER}à {_mail(first, last)} ; {FILLER}au {STREETS[n % 4]}, {ZIPS[(n + 1) % 4]} Nantes. "
        f"{FILLER}on la joint au {PHONES[n % 4]}."
    )


def run_conversation(seed: int, turns: int = 4) -> list[tuple[str, str, Conversation]]:
    """Turns as the gateway runs them: conversation sealed and reopened between turns, history
    (user texts and revealed answers) protected again; returns (original, sent, conversation)."""
    rng = random.Random(seed)
    blob = Conversation.new(seed=seed).to_blob(KEY)
    history: list[str] = []
    sent_turns: list[tuple[str, str, Conversation]] = []
    for t in range(turns):
        text = turn_text(rng.randrange(100) + t)
        history.append(text)
        conv = Conversation.from_blob(blob, KEY)
        sent = [protect(h, conv, pipeline=PIPE).text for h in history]
        blob = conv.to_blob(KEY)
        conv = Conversation.from_blob(blob, KEY)
        echo = "Réponse : " + sent[-1]
        answer = reveal(echo, conv)
        assert answer == "Réponse : " + text, f"graine {seed}, tour {t}"
        for size in (1, 5):
            assert streamed(conv.stream(), echo, size) == answer, f"graine {seed}, tour {t}, flux {size}"
        history.append(answer)
        sent_turns.append((text, sent[-1], conv))
    return sent_turns


@pytest.mark.parametrize("seed", range(8))
def test_every_turn_reveals_now_and_later(seed: int) -> None:
    turns = run_conversation(seed)
    last = turns[-1][2]
    for text, sent, _ in turns:  # the AI may quote any earlier message in a later answer
        assert reveal(sent, last) == text
    everything = "\n".join(sent for _, sent, _ in turns)
    assert reveal(everything, last) == "\n".join(text for text, _, _ in turns)
    assert streamed(last.stream(), everything, 3) == reveal(everything, last)


# --- a later surrogate is never a word of an earlier text ---------------------------------------


def _first_surrogate(seed: int, text: str, pipe: RulesPipeline, mode: str = "surrogate") -> str:
    probe = Conversation.new(seed=seed)
    out = protect(text, probe, pipeline=pipe, mode=mode)
    rep = out.replacements[0]
    return out.text[rep.out_start : rep.out_end]


@pytest.mark.parametrize("seed", range(10))
def test_later_name_surrogate_is_not_a_word_sent_before(seed: int) -> None:
    pipe = RulesPipeline([("NOM", r"\bDupont\b")])
    word = _first_surrogate(seed, "M. Dupont vient.", pipe)  # what the next draw would be
    earlier = f"Le {word.lower()} a appelé ; {word} passera demain."
    conv = Conversation.new(seed=seed)
    first = protect(earlier, conv, pipeline=pipe)
    conv = Conversation.from_blob(conv.to_blob(KEY), KEY)  # remembered across saves
    second = protect("M. Dupont vient.", conv, pipeline=pipe)
    assert word not in second.text
    assert reveal(first.text, conv) == earlier
    assert reveal(second.text, conv) == "M. Dupont vient."


@pytest.mark.parametrize("seed", range(5))
def test_later_number_surrogate_is_not_a_number_sent_before(seed: int) -> None:
    pipe = RulesPipeline([("TEL", r"\b06 12 34 56 78\b")])
    number = _first_surrogate(seed, "Tél. 06 12 34 56 78.", pipe)
    digits = re.sub(r"\D", "", number)
    earlier = f"Code du dossier : {digits[:4]}.{digits[4:]} (à rappeler)."
    conv = Conversation.new(seed=seed)
    first = protect(earlier, conv, pipeline=pipe)
    protect("Tél. 06 12 34 56 78.", conv, pipeline=pipe)
    assert reveal(first.text, conv) == earlier


def test_later_tag_skips_a_tag_written_before() -> None:
    pipe = RulesPipeline([("NOM", r"\bDupont\b")])
    conv = Conversation.new(seed=3)
    first = protect("Le gabarit dit [nom_1] et [ NOM _ 2 ].", conv, pipeline=pipe, mode="tag")
    second = protect("M. Dupont vient.", conv, pipeline=pipe, mode="tag")
    assert second.text == "M. [NOM_3] vient."
    assert reveal(first.text, conv) == "Le gabarit dit [nom_1] et [ NOM _ 2 ]."


def test_consistent_names_stay_consistent_across_turns() -> None:
    # The words of surrogates already sent are not held against the same surrogates later.
    pipe = RulesPipeline([("PRENOM", r"\bJean\b"), ("NOM", r"\bDupont\b")])
    conv = Conversation.new(seed=1)
    one = protect("M. Jean Dupont est venu.", conv, pipeline=pipe)
    two = protect("Jean Dupont reviendra. Dupont va mieux.", conv, pipeline=pipe)
    name = one.text.split()[1:3]
    assert " ".join(name) in two.text and "[" not in two.text


def test_old_sealed_conversations_still_open() -> None:
    conv = Conversation.new(seed=2)
    protect("M. Dupont vient.", conv, pipeline=RulesPipeline([("NOM", r"\bDupont\b")]))
    state = conv.state.to_dict()
    del state["seen"]  # sealed before keys were remembered
    blob = seal({"id": conv.id, "vault": conv.vault.to_dict(), "state": state}, KEY)
    reopened = Conversation.from_blob(blob, KEY)
    assert reopened.state.seen == []
    out = protect("M. Dupont.", reopened, pipeline=RulesPipeline([("NOM", r"\bDupont\b")]))
    assert reveal(out.text, reopened) == "M. Dupont."


# --- the keys behind that guarantee -------------------------------------------------------------


def test_seen_keeps_every_key_and_grows() -> None:
    seen = Seen([])
    keys = [f"w:mot{i}" for i in range(5000)]
    seen.add(keys[:10])
    seen.add(keys)
    again = Seen(seen.to_data())
    assert all(k in again for k in keys)
    assert sum(f"w:autre{i}" in again for i in range(5000)) < 50  # few false hits
    assert len(again.to_data()) == 2 and not Seen([])


SURROGATES = [
    ("Martin", "NOM"), ("Le Lefebvre", "NOM"), ("Jean-Pierre", "PRENOM"), ("Saint-Jean-les-Bains", "VILLE"),
    ("12 rue Jean Martin", "ADRESSE"), ("16/02/1962", "DATE"), ("CHU de Valenceville", "HOPITAL"),
    ("jean-paul.martin@free.fr", "MAIL"), ("+33 6 12 34 56 78", "TEL"), ("2 13 05 58 229 493 17", "SECU"),
    ("FR76 3000 6000 0112 3456 7890 189", "IBAN"), ("FR7630006000011234567890189123456", "IBAN"),
    ("58229", "ZIP"), ("[NOM_12]", "NOM"), ("d'Arc", "NOM"),
    ("1234 5678 9012 3456 7890 1234 5678 9012 3456 7890", "IPP"),
]  # fmt: skip
AROUND = st.text(alphabet=list("ab é1-./ \n'@[]_"), max_size=12)


def _respace(value: str, label: str, rng: random.Random) -> str:
    """A way an answer may write ``value`` that its needle still finds."""
    if label in {"TEL", "SECU", "IBAN", "ZIP", "IPP"}:
        chars = [c for c in value if c.isalnum()]
        return "".join(c + rng.choice(["", "", " ", ".", "-", " - "]) for c in chars[:-1]) + chars[-1]
    if label == "MAIL":
        return value.upper() if rng.random() < 0.3 else value
    if value.startswith("["):
        return value.replace("_", rng.choice(["_", " _ ", "_  "])).lower()
    out = re.sub(r"[ \-]", lambda _: rng.choice([" ", "  ", "\n", "-", " - "]), value)
    return out.upper() if rng.random() < 0.3 else out


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SURROGATES), AROUND, AROUND, st.integers(0, 2**16))
def test_a_key_is_found_wherever_the_needle_matches(
    surrogate: tuple[str, str], before: str, after: str, seed: int
) -> None:
    value, label = surrogate
    text = before + _respace(value, label, random.Random(seed)) + after
    if re.search(needle(value, label)[0], fold_same_length(text)):
        assert needle_key(value, label) in text_keys(text)


# --- surrogate first names keep the sex of the original -------------------------------------
# "Mme Maëlys Quéméner" became "Mme Richard Couturier": Maëlys is missing from faker's lists, so
# the surrogate was drawn among men's and women's names alike.

NAMES = RulesPipeline([
    ("PRENOM", r"\b(?:Maëlys|Camille|Claude|Jean-Marie|Marie-Claude|Inès|Sacha|Ylvaé)\b"),
    ("NOM", r"\b(?:Quéméner|DUPONT|Durand|Martin|Petit)\b"),
])  # fmt: skip


def _first(conv: Conversation, original: str) -> str:
    entries = (e for e in conv.vault if e.original == original and e.label == "PRENOM")
    return next(e.surrogate for e in entries if not e.part)


def test_sex_of_known_first_names() -> None:
    assert [fakes.first_name_gender(n) for n in ("Maëlys", "Marie", "Inès", "Jean", "Augustin")] == [
        "f", "f", "f", "m", "m",
    ]  # fmt: skip
    assert fakes.first_name_gender("Camille") is None and fakes.first_name_gender("Ylvaé") is None


def test_pools_hold_names_of_their_sex() -> None:
    rng = random.Random(0)
    for gender in ("f", "m"):
        assert all(fakes.first_name_gender(fakes.first_name(rng, "X", gender)) == gender for _ in range(300))
    assert all(fakes.first_name_gender(fakes.first_name(rng, "X", "epicene")) is None for _ in range(100))


@pytest.mark.parametrize("seed", range(40))
def test_first_name_surrogate_has_the_original_sex(seed: int) -> None:
    text = (
        "Mme Maëlys Quéméner, sa fille Inès Durand, M. Jean-Marie Martin, Mme Marie-Claude Petit, "
        "Mme DUPONT Claude, M. Camille Martin, Madame Sacha Durand, Ylvaé Petit."
    )
    conv = Conversation.new(seed=seed)
    out = protect(text, conv, pipeline=NAMES).text
    assert reveal(out, conv) == text
    sex = fakes.first_name_gender
    assert sex(_first(conv, "Maëlys")) == "f" and sex(_first(conv, "Inès")) == "f"  # known names
    assert all(sex(p) == "m" for p in _first(conv, "Jean-Marie").split("-"))  # a man's compound name
    assert all(sex(p) == "f" for p in _first(conv, "Marie-Claude").split("-"))
    assert sex(_first(conv, "Claude")) == "f"  # the civility, even before the surname
    assert sex(_first(conv, "Camille")) == "m" and sex(_first(conv, "Sacha")) == "f"  # given to both
    assert sex(_first(conv, "Ylvaé")) is None  # unknown, no civility: a name given to both


@pytest.mark.parametrize("seed", range(10))
def test_first_names_stay_consistent_across_turns(seed: int) -> None:
    conv = Conversation.new(seed=seed)
    one = protect("Camille Durand est venue.", conv, pipeline=NAMES).text
    conv = Conversation.from_blob(conv.to_blob(KEY), KEY)
    two = protect("Mme Camille Durand reviendra ; Camille va mieux.", conv, pipeline=NAMES).text
    three = protect("M. Camille Durand aussi.", conv, pipeline=NAMES).text
    first = one.split()[0]
    assert fakes.first_name_gender(first) is None  # a name given to both: fits "Mme" and "M."
    assert two.split()[1] == two.split()[5] == three.split()[1] == first
    assert reveal(one + two + three, conv) == (
        "Camille Durand est venue.Mme Camille Durand reviendra ; Camille va mieux.M. Camille Durand aussi."
    )


@pytest.mark.parametrize("seed", range(10))
def test_a_civility_first_sets_the_sex_for_the_conversation(seed: int) -> None:
    conv = Conversation.new(seed=seed)
    one = protect("Mme Camille Durand est venue.", conv, pipeline=NAMES).text
    conv = Conversation.from_blob(conv.to_blob(KEY), KEY)
    two = protect("Camille Durand reviendra.", conv, pipeline=NAMES).text
    three = protect("M. Camille Martin, un autre patient.", conv, pipeline=NAMES).text
    her, again, him = one.split()[1], two.split()[0], three.split()[1]
    assert her == again and fakes.first_name_gender(her) == "f"
    assert fakes.first_name_gender(him) == "m"  # "M. Camille": another person, a man
    assert reveal(three, conv) == "M. Camille Martin, un autre patient."


def test_civility_before_the_name() -> None:
    text = "Mme DUPONT Claude et M. Claude, Mme. Camille"
    names = [(4, 10), (11, 17), (24, 30), (37, 44)]
    assert [civility_gender(text, a, names) for a, _ in names] == ["f", "f", "m", "f"]
    assert civility_gender("Dr Camille", 3, [(3, 10)]) is None


def test_a_text_sent_again_from_a_cache_is_remembered() -> None:
    pipe = RulesPipeline([("NOM", r"\bDupont\b")])
    word = _first_surrogate(4, "M. Dupont vient.", pipe)
    earlier = f"Le {word.lower()} a appelé."
    kept = protect(earlier, Conversation.new(seed=4), pipeline=pipe).text  # e.g. a gateway cache
    conv = Conversation.new(seed=4)  # the conversation started again without it
    conv.note_sent(kept)
    protect("M. Dupont vient.", conv, pipeline=pipe)
    assert reveal(kept, conv) == earlier


def _number_keys_by_definition(text: str, skip: list[tuple[int, int]]) -> set[str]:
    """The number keys of ``text`` as :func:`text_keys` defines them, one run at a time."""
    folded = fold_same_length(text)
    keys = set()
    for chain in re.finditer(r"\w+(?:[\s.\-]{1,3}\w+)*", folded):
        groups = list(re.finditer(r"\w+", chain[0]))
        for i in range(len(groups)):
            acc = ""
            for j in range(i, len(groups)):
                word = groups[j][0]
                if not re.search(r"\d", word) and re.search(r"[^\W\d_]{5,}", word):
                    break
                acc += word
                start, end = chain.start() + groups[i].start(), chain.start() + groups[j].end()
                kept = not any(a <= start and end <= b for a, b in skip)
                if len(acc) > 34:
                    if re.search(r"\d", acc[:34]) and kept:
                        keys.add("p:" + acc[:34])
                    break
                if re.search(r"\d", acc) and kept:
                    keys.add("d:" + acc)
    return keys


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=list("ab1é2 -./\nXYZmgpar0"), max_size=80),
    st.lists(st.tuples(st.integers(0, 80), st.integers(1, 12)), max_size=3),
)
def test_number_keys_match_their_definition(text: str, raw_skip: list[tuple[int, int]]) -> None:
    skip, end = [], -1
    for start, length in sorted(raw_skip):  # disjoint ranges, as surrogates written in a text
        if start > end and start < len(text):
            skip.append((start, min(len(text), start + length)))
            end = skip[-1][1]
    got = {k for k in text_keys(text, skip) if k[:2] in ("d:", "p:")}
    assert got == _number_keys_by_definition(text, skip)
