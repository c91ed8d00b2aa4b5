"""Surrogates: consistency, layout, check digits, date shift."""

from __future__ import annotations

import re

import pytest
from fakepipe import LETTER_RULES, FakePipeline

from avec.protect import fakes
from avec.protect.api import Conversation, protect
from avec.protect.dateshift import shift_date


def _run(text: str, rules: list[tuple[str, str]], **kw: object) -> tuple[str, Conversation]:
    conv = Conversation.new(seed=7)
    result = protect(text, conv, pipeline=FakePipeline(rules), **kw)  # type: ignore[arg-type]
    return result.text, conv


def _sur(conv: Conversation, original: str) -> str:
    return next(e.surrogate for e in conv.vault if e.original == original and not e.part)


def test_same_person_same_surrogate_and_case_kept() -> None:
    text = "Jean-Pierre DUPONT est venu. M. Dupont va mieux ; Paul Durand aussi."
    out, conv = _run(text, [*LETTER_RULES, ("PRENOM", r"\bJean-Pierre\b")])
    upper, title = _sur(conv, "DUPONT"), _sur(conv, "Dupont")
    assert upper.isupper() and upper == title.upper()
    assert _sur(conv, "Durand") not in (upper, title)
    assert re.fullmatch(r"[A-ZÀ-Ý][a-zà-ÿ]+-[A-ZÀ-Ý][a-zà-ÿ]+", _sur(conv, "Jean-Pierre"))
    assert "Dupont" not in out and "Durand" not in out


def test_surrogates_never_equal_an_original_or_each_other() -> None:
    text = "Marie Martin, Paul Bernard, Marie Bernard, Paul Martin."
    _out, conv = _run(text, [("PRENOM", r"Marie|Paul"), ("NOM", r"Martin|Bernard")])
    surs = {e.surrogate for e in conv.vault}
    originals = {e.original for e in conv.vault}
    assert not surs & originals
    mapping = {e.surrogate: e.original for e in conv.vault}
    assert len(mapping) == len(conv.vault)


def test_tags_are_numbered_per_label() -> None:
    out, _ = _run("Paul Durand et Marie Dupont", LETTER_RULES, mode="tag")
    assert out == "[PRENOM_1] [NOM_1] et [PRENOM_2] [NOM_2]"


def test_tag_skips_numbers_already_in_text() -> None:
    out, _ = _run("[NOM_1] est un gabarit ; Dupont est le patient", LETTER_RULES, mode="tag")
    assert out.startswith("[NOM_1] est un gabarit ; [NOM_2]")


def _nir_ok(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return len(digits) == 15 and 97 - int(digits[:13]) % 97 == int(digits[13:])


def test_nir_keeps_valid_key_sex_and_layout() -> None:
    _out, conv = _run("NIR 2 84 05 75 123 456 29.", [("SECU", r"2 84 05 75 123 456 29")])
    sur = _sur(conv, "2 84 05 75 123 456 29")
    assert _nir_ok(sur) and sur[0] == "2"
    assert [len(p) for p in sur.split()] == [1, 2, 2, 2, 3, 3, 2]


def test_iban_checksum_valid() -> None:
    import random

    value = fakes.iban(random.Random(3), "FR76 3000 6000 0112 3456 7890 189")
    raw = value.replace(" ", "")
    rearranged = raw[4:] + raw[:4]
    assert int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1
    assert len(value) == len("FR76 3000 6000 0112 3456 7890 189")


def test_phone_keeps_format_and_kind() -> None:
    import random

    for original in ("06 12 34 56 78", "+33 6 12 34 56 78", "01.23.45.67.89"):
        value = fakes.phone(random.Random(1), original)
        assert re.sub(r"\d", "9", value) == re.sub(r"\d", "9", original)
        assert value[:2] == original[:2]


def test_hospital_same_kind() -> None:
    import random

    assert fakes.hospital(random.Random(2), "CHU de Nantes").startswith("CHU de ")
    assert fakes.hospital(random.Random(2), "EHPAD Les Glycines").startswith("EHPAD ")


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        ("12/03/2024", r"\d\d/\d\d/\d{4}"),
        ("12.03.24", r"\d\d\.\d\d\.\d\d"),
        ("12 mars 2024", r"\d{1,2}(er)? [a-zéû]+ \d{4}"),
        ("mars 2024", r"[a-zéû]+ \d{4}"),
        ("3/4", r"\d{1,2}/\d{1,2}"),
        ("2024-03-12", r"\d{4}-\d\d-\d\d"),
    ],
)
def test_date_shift_keeps_format(value: str, shape: str) -> None:
    shifted = shift_date(value, 40)
    assert shifted is not None and shifted != value
    assert re.fullmatch(shape, shifted)


def test_dates_keep_intervals() -> None:
    text = "Entrée le 04/03/2024, sortie le 14/03/2024."
    _out, conv = _run(text, [("DATE", r"\d\d/\d\d/\d{4}")])
    import datetime as dt

    a, b = (dt.datetime.strptime(_sur(conv, d), "%d/%m/%Y") for d in ("04/03/2024", "14/03/2024"))
    assert (b - a).days == 10


def test_unparsable_date_gets_a_tag_that_reveals() -> None:
    from avec.protect.api import reveal

    text = "Vu à la Toussaint dernière."
    conv = Conversation.new(seed=1)
    result = protect(text, conv, pipeline=FakePipeline([("DATE", r"la Toussaint dernière")]))
    assert "[DATE_1]" in result.text
    assert reveal(result.text, conv) == text


def test_surrogate_names_are_never_words_an_answer_uses_on_its_own() -> None:
    """Reveal finds a surrogate in any case: "Petit" as a surname would turn "un petit caillot"
    of the AI's own prose into the patient's name."""
    import random

    from avec.french import is_descriptive_word
    from avec.protect import fakes

    assert is_descriptive_word("petit") and is_descriptive_word("blanches")
    assert is_descriptive_word("Voisin") and not is_descriptive_word("Martin")
    rng = random.Random(3)
    drawn = [fakes.last_name(rng, "Dupont") for _ in range(2000)]
    drawn += [fakes.first_name(rng, "Marie", g) for g in ("f", "m", "epicene", None) for _ in range(500)]
    assert not [n for n in drawn if is_descriptive_word(n)]
    assert len(set(drawn)) > 300  # the pools stay large


def test_a_text_sent_again_is_not_read_again() -> None:
    """Chat clients re-send the history at every turn: its words are remembered once."""
    from avec.protect.surrogates import Seen, State, remember

    state = State.new(1)
    text = "Le voisin de Mme Durand a appelé le 12/03 au 06 12 34 56 78."
    remember(state, text, [(17, 23)])
    seen_once = [list(f) for f in state.seen]
    remember(state, text, [(17, 23)])
    assert state.seen == seen_once and len(state.remembered) == 1
    assert "w:voisin" in Seen(state.seen)
    remember(state, text + " Merci.", [(17, 23)])
    assert len(state.remembered) == 2
