from avec.verify.dosing import check_doses


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], str(f.type)) for f in check_doses(text)]


def test_unit_errors() -> None:
    text = (
        "- Levothyrox 100 mg le matin\n- insuline lispro 8 mg avant les repas\n"
        "- Lovenox 6 g le soir\n- amlodipine 5 µg le matin"
    )
    assert _found(text) == [
        ("100 mg", "UNIT_ERROR"),
        ("8 mg", "UNIT_ERROR"),
        ("6 g", "UNIT_ERROR"),
        ("5 µg", "UNIT_ERROR"),
    ]


def test_plausible_units_pass() -> None:
    text = "lévothyroxine 0,1 mg le matin ; Lovenox 40 mg le soir ; énoxaparine 4000 UI ; Uvedose 100 000 UI."
    assert _found(text) == []


def test_over_max_with_frequency_span() -> None:
    text = "Doliprane 1 g toutes les 4 heures. Escitalopram : 15 mg matin et soir."
    assert _found(text) == [
        ("1 g toutes les 4 heures", "DOSE_OVER_MAX"),
        ("15 mg matin et soir", "DOSE_OVER_MAX"),
    ]


def test_exactly_at_max_and_weight_based_are_not_flagged() -> None:
    text = (
        "paracétamol 1 g quatre fois par jour ; ibuprofène 400 mg trois fois par jour ; "
        "amoxicilline 50 mg/kg/j ; clopidogrel 300 mg en dose de charge."
    )
    assert _found(text) == []
