"""Hostile input for verify: any Unicode answer and source, never a crash, offsets inside the answer.

The only documented refusal is ``VerifyInputError`` (empty, too long, not text, unknown check).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from avec.verify import CHECKS, Finding, VerifyInputError, verify

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=300)
PARTS = [
    "amlodipine ", "sertaline ", "Doliprane ", "paracétamol 1 g x 3/j", " 5 mg", " 50 mg/kg/j", "2,5 mg",
    " 10 µg", " 1000 UI", " 3 cp ", "HAS 2009", " (Vidal, 2011)", "[1]", "https://x.fr", "\x00", "\ud800",
    "\u200b", "\u0301", "[NOM_1]", "\n", " ", "0,5 g", "1e308 mg", "99999999999999999999 mg", "mg", "/j",
]  # fmt: skip
CLINICAL = st.lists(st.sampled_from(PARTS), min_size=1, max_size=30).map("".join)


def check_findings(answer: str, findings: list[Finding]) -> None:
    assert findings == sorted(findings, key=lambda f: (f.start, f.end, f.type))
    for f in findings:
        assert 0 <= f.start < f.end <= len(answer)
        assert f.message.strip() and f.fits(answer)


def verify_or_refused(answer: str, source: str | None) -> list[Finding] | None:
    try:
        return verify(answer, source)
    except VerifyInputError as exc:
        assert str(exc)
        return None


@FUZZ
@given(st.one_of(ANY_TEXT, CLINICAL), st.one_of(st.none(), ANY_TEXT, CLINICAL))
def test_any_answer_and_source(answer: str, source: str | None) -> None:
    findings = verify_or_refused(answer, source)
    if findings is None:
        assert not answer.strip()
    else:
        check_findings(answer, findings)


@FUZZ
@given(CLINICAL, st.lists(st.sampled_from(CHECKS), unique=True))
def test_any_subset_of_checks(answer: str, checks: list[str]) -> None:
    if answer.strip():
        check_findings(answer, verify(answer, answer[::-1], checks=tuple(checks)))


@pytest.mark.parametrize("answer", [None, b"amlodipine 5 mg", 3.5, "", " \n\t"])
def test_refusals(answer: object) -> None:
    with pytest.raises(VerifyInputError):
        verify(answer)  # type: ignore[arg-type]


def test_large_inputs() -> None:
    big = "amlodipine 5 mg le matin.\n" * 40_000  # about 1 MB: refused with a clear message
    with pytest.raises(VerifyInputError, match="trop long"):
        verify(big)
    with pytest.raises(VerifyInputError, match="trop long"):
        verify("amlodipine 5 mg", source=big)
    lines = "\n".join(f"- sertaline {i % 200} mg" for i in range(2000))  # thousands of short lines
    check_findings(lines, verify(lines))
