from avec.verify.drugs import check_drugs, find_mentions
from avec.verify.lexicon import get_lexicon


def _types(text: str) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], str(f.type)) for f in check_drugs(text)]


def test_lexicon_knows_inn_brands_and_additions() -> None:
    lex = get_lexicon()
    for name in ("paracétamol", "Doliprane", "TAHOR", "insuline glargine", "Ozempic", "dabigatran"):
        assert lex.get(name) is not None, name
    advil = lex.get("Advil")
    assert advil is not None and advil.inn == "ibuprofene"


def test_known_drugs_are_not_flagged() -> None:
    text = "Traitement : Kardégic 75 mg, amlodipine 5 mg le matin, Levothyrox 50 µg, Trulicity 1,5 mg."
    assert _types(text) == []
    assert {m.text for m in find_mentions(text)} >= {"amlodipine", "Levothyrox", "Trulicity"}


def test_common_words_before_doses_are_not_drugs() -> None:
    text = "Dose 20 mg au coucher, total 40 mg par jour, soit 2 comprimés ; CRP 12 mg/L, hémoglobine 9 g/dL."
    assert _types(text) == []


def test_misspelled_and_invented_names() -> None:
    text = "- amlodipinne 5 mg le matin\n- Zorvaxiline 20 mg le soir\n- Kardegique 75 mg"
    found = check_drugs(text)
    assert [(text[f.start : f.end], str(f.type)) for f in found] == [
        ("amlodipinne", "MISSPELLED_DRUG"),
        ("Zorvaxiline", "UNKNOWN_DRUG"),
        ("Kardegique", "UNKNOWN_DRUG"),
    ]
    assert "amlodipine" in found[0].suggestion


def test_drug_suffix_without_dose() -> None:
    assert _types("Un relais par bravosartan est discuté.") == [("bravosartan", "UNKNOWN_DRUG")]
