"""Plain-language check: jargon with everyday words, abbreviations and long sentences, with positions."""

from __future__ import annotations

from avec.communicate.glossary import parse_glossary
from avec.communicate.plain_language import IssueKind, check_plain_language


def test_jargon_gets_an_everyday_word_at_its_position() -> None:
    text = "Vous avez une dyspnée depuis hier."
    report = check_plain_language(text)
    (issue,) = report.issues
    assert issue.kind is IssueKind.JARGON
    assert text[issue.start : issue.end] == "dyspnée"
    assert "essoufflement" in issue.suggestion
    assert issue.source


def test_known_unknown_and_explained_abbreviations() -> None:
    text = (
        "Vous avez une HTA. Le bilan XYZ est normal. "
        "Un accident vasculaire cérébral (AVC) ancien. L'AVC est stable."
    )
    issues = [i for i in check_plain_language(text).issues if i.kind is IssueKind.ABBREVIATION]
    assert [text[i.start : i.end] for i in issues] == ["HTA", "XYZ"]
    assert "hypertension artérielle" in issues[0].suggestion
    assert "toutes lettres" in issues[1].suggestion


def test_titles_roman_numerals_and_pseudonym_tags_are_not_abbreviations() -> None:
    text = "COMPTE RENDU DE CONSULTATION\nDiabète de type II. Vu avec [NOM_1] et OK pour sortir."
    assert check_plain_language(text).count(IssueKind.ABBREVIATION) == 0


def test_long_sentence_is_flagged_with_its_span() -> None:
    long_sentence = " ".join(["mot"] * 25) + "."
    text = f"Phrase courte. {long_sentence}"
    report = check_plain_language(text, max_sentence_words=20)
    (issue,) = [i for i in report.issues if i.kind is IssueKind.LONG_SENTENCE]
    assert text[issue.start : issue.end] == long_sentence
    assert "25 mots" in issue.message


def test_messages_never_quote_the_patient_text() -> None:
    text = "Mme Zoé Quenouille a une HTA et un bilan QWZ."
    for issue in check_plain_language(text).issues:
        assert "Quenouille" not in issue.message + issue.suggestion
        assert "QWZ" not in issue.message + issue.suggestion


def test_custom_glossary_and_readability_in_the_report() -> None:
    glossary = parse_glossary("term,plain,kind,source,licence\nprurit,démangeaison,terme,test,CC0\n")
    report = check_plain_language("Un prurit gênant. Une dyspnée.", glossary=glossary)
    assert [i.suggestion for i in report.issues] == ["Mot courant proposé : « démangeaison »."]
    assert report.readability.sentences == 2
