import pytest

from avec.verify.quantities import convert, find_quantities, parse_number


@pytest.mark.parametrize(
    ("text", "value", "unit", "daily"),
    [
        ("1 g x 3/j", 1.0, "g", 3.0),
        ("75 µg le matin", 75.0, "µg", 75.0),
        ("75 mcg une fois par jour", 75.0, "µg", 75.0),
        ("75 microgrammes par jour", 75.0, "µg", 75.0),
        ("500 mg matin et soir", 500.0, "mg", 1000.0),
        ("5 mg matin, midi et soir", 5.0, "mg", 15.0),
        ("1 à 2 cp trois fois par jour", 2.0, "cp", 6.0),
        ("2 x 500 mg", 1000.0, "mg", None),
        ("1 g toutes les 6 heures", 1.0, "g", 4.0),
        ("0,4 mL le soir", 0.4, "mL", 0.4),
        ("14 UI au coucher", 14.0, "UI", 14.0),
        ("2,5 mg/j", 2.5, "mg", 2.5),
        ("1 200 mg deux fois par jour", 1200.0, "mg", 2400.0),
    ],
)
def test_quantities_and_daily_dose(text: str, value: float, unit: str, daily: float | None) -> None:
    (q,) = find_quantities(text)
    assert (q.value, q.unit, q.daily()) == (value, unit, daily)


def test_weight_based_lab_and_single() -> None:
    (weight,) = find_quantities("15 mg/kg/j")
    assert weight.is_weight_based
    (lab,) = find_quantities("créatinine 90 µmol/L")
    assert not lab.is_dose
    (once,) = find_quantities("200 000 UI en prise unique")
    assert once.single and once.value == 200000


def test_conversions() -> None:
    assert parse_number("2,5") == 2.5 and parse_number("100 000") == 100000
    assert convert(0.5, "g", "mg") == pytest.approx(500)
    assert convert(125, "µg", "mg") == pytest.approx(0.125)
    assert convert(10, "mg", "UI") is None  # units are their own dimension
