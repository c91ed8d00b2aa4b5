import pytest

from avec.verify import Finding, FindingType, Severity


def test_finding_checks_itself() -> None:
    f = Finding(3, 8, "UNIT_ERROR", "error", "Unité impossible.")  # type: ignore[arg-type]
    assert f.type is FindingType.UNIT_ERROR and f.severity is Severity.ERROR
    assert f.fits("0123456789") and not f.fits("0123")
    assert f.to_dict()["type"] == "UNIT_ERROR"
    with pytest.raises(ValueError):
        Finding(5, 5, FindingType.UNIT_ERROR, Severity.ERROR, "x")
    with pytest.raises(ValueError):
        Finding(0, 2, "NOPE", Severity.ERROR, "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Finding(0, 2, FindingType.UNIT_ERROR, Severity.ERROR, "  ")
