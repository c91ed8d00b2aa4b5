"""French readability indices: only formulas valid for French, on texts of known difficulty."""

from __future__ import annotations

import pytest

from avec.communicate.readability import (
    ENGLISH_ONLY_INDICES,
    FRENCH_INDICES,
    level_fr,
    readability,
    split_sentences,
)

EASY = "Vous avez mal au ventre. Buvez de l'eau. Mangez léger. Revenez me voir demain."
HARD = (
    "L'exploration échographique transthoracique objective une hypokinésie septo-apicale "
    "compatible avec une cardiopathie ischémique, justifiant une coronarographie diagnostique "
    "et thérapeutique programmée dans les meilleurs délais."
)


def test_easy_text_scores_higher_than_jargon() -> None:
    easy, hard = readability(EASY), readability(HARD)
    assert easy.flesch_fr is not None and hard.flesch_fr is not None
    assert easy.flesch_fr > 80 > 30 > hard.flesch_fr
    assert easy.level == "très facile" and hard.level == "très difficile"
    assert easy.lix is not None and hard.lix is not None and easy.lix < 40 < 60 < hard.lix
    assert easy.long_word_share < hard.long_word_share


def test_counts_and_kandel_moles_formula() -> None:
    report = readability("Le chat dort. Le chien mange sa soupe.")
    assert (report.sentences, report.words, report.words_per_sentence) == (2, 8, 4.0)
    # Kandel & Moles: 207 - 1.015 × 4 words/sentence - 73.6 × (8 syllables / 8 words) = 129.34;
    # pyphen's French dictionary, like speech, gives "mange" and "soupe" one syllable each.
    assert report.flesch_fr == pytest.approx(129.3, abs=0.1)
    assert report.rix == 0.0


def test_empty_text_has_no_index() -> None:
    report = readability("  \n ")
    assert report.words == 0 and report.flesch_fr is None and report.level == "texte vide"


def test_sentences_end_at_list_items_and_titles_but_not_at_titles_of_address() -> None:
    text = "BILAN\nLe Dr. Martin a vu M. Paul.\n- boire\n- marcher"
    sentences = [text[s.start : s.end] for s in split_sentences(text)]
    assert sentences == ["BILAN", "Le Dr. Martin a vu M. Paul.", "- boire", "- marcher"]


def test_only_french_valid_indices_are_offered() -> None:
    assert set(FRENCH_INDICES) == {"flesch_fr", "lix", "rix", "words_per_sentence", "long_word_share"}
    assert "flesch_kincaid_grade" in ENGLISH_ONLY_INDICES and "smog_index" in ENGLISH_ONLY_INDICES
    assert not set(FRENCH_INDICES) & set(ENGLISH_ONLY_INDICES)
    assert [level_fr(x) for x in (85, 75, 65, 55, 40, 10)] == [
        "très facile", "facile", "assez facile", "standard", "difficile", "très difficile",
    ]  # fmt: skip
