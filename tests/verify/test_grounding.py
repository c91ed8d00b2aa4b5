from avec.verify.grounding import check_drugs_grounded, check_numbers

SOURCE = (
    "Patiente de 72 ans, séjour de 6 jours. Kaliémie 5,2 mmol/L, créatinine 110 µmol/L. "
    "Sortie sous ramipril 2,5 mg le soir et Doliprane 1000 mg trois fois par jour. "
    "MMSE 24/30. Sortie le 4 mars 2026."
)


def test_normalised_values_are_grounded() -> None:
    answer = (
        "Patiente de 72 ans hospitalisée 6 jours ; kaliémie 5.2 mmol/L ; créatinine 110 µmol/L ; "
        "ramipril 2,5 mg le soir, paracétamol 1 g trois fois par jour ; MMSE 24/30 ; sortie le 04/03/2026."
    )
    assert check_numbers(answer, SOURCE) == []
    assert check_drugs_grounded(answer, SOURCE) == []


def test_changed_values_and_added_drug() -> None:
    answer = (
        "Ramipril 5 mg le soir, kaliémie 5,8 mmol/L, MMSE 21/30, sortie le 5 mars 2026, ajout de Kardégic."
    )
    numbers = [answer[f.start : f.end] for f in check_numbers(answer, SOURCE)]
    assert numbers == ["5 mg", "5,8 mmol/L", "21/30", "5 mars 2026"]
    drugs = [answer[f.start : f.end] for f in check_drugs_grounded(answer, SOURCE)]
    assert drugs == ["Kardégic"]


def test_dose_compared_with_the_same_drug() -> None:
    source = "Traitement : bisoprolol 5 mg le matin ; amlodipine 10 mg le soir."
    answer = "Traitement : bisoprolol 10 mg le matin ; amlodipine 10 mg le soir."
    assert [answer[f.start : f.end] for f in check_numbers(answer, source)] == ["10 mg"]


def test_no_source_no_grounding() -> None:
    assert check_numbers("CRP 40 mg/L", None) == []


def test_an_indexed_source_gives_the_same_findings_as_its_text() -> None:
    from avec.verify import index_source, verify

    index = index_source(SOURCE)
    answers = [
        "Ramipril 5 mg le soir, kaliémie 5,8 mmol/L, MMSE 21/30, sortie le 5 mars 2026, ajout de Kardégic.",
        "Patiente de 72 ans ; ramipril 2,5 mg le soir, paracétamol 1 g trois fois par jour.",
        "Doliprane 1000 mg six fois par jour et lévothyrox 75 mg.",
    ]
    found = [verify(answer, SOURCE) for answer in answers]
    assert found[0] and not found[1] and found[2]  # changed values, a faithful copy, overdoses
    assert [verify(answer, index) for answer in answers] == found
    assert verify(answers[0], index_source("")) == verify(answers[0], None)
