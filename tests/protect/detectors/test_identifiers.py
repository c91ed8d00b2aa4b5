"""Structured identifiers: NIR, IBAN, phones, mails, URLs, RPPS, IPP/NDA."""

from __future__ import annotations

import pytest

from avec.protect.detectors.base import Document
from avec.protect.detectors.identifiers import (
    IbanDetector,
    NirDetector,
    PatientIdDetector,
    PhoneDetector,
    RppsDetector,
    iban_ok,
    luhn_ok,
    mod97_nir_key_ok,
)
from avec.protect.pipeline import Pipeline
from avec.text import Span

STEPS = ["nir", "iban", "phone", "email", "url", "rpps", "patient_ids"]


def nir_key(body13: str) -> str:
    """Reference key computation, written independently of the detector."""
    number = int(body13.upper().replace("2A", "19").replace("2B", "18"))
    return f"{97 - number % 97:02d}"


def iban_with_key(country: str, bban: str) -> str:
    """Build a valid IBAN from a country code and a BBAN."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def found(text: str, spans: list[Span], label: str) -> list[str]:
    return [text[s.start : s.end] for s in spans if s.label == label]


def run(text: str) -> list[Span]:
    return Pipeline(STEPS).detect(text)


# --- NIR -----------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["1850578123456", "2691275116024", "1540599350127"])
def test_nir_valid_key_compact_and_spaced(body: str) -> None:
    key = nir_key(body)
    compact = body + key
    spaced = f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:13]} {key}"
    for value in (compact, spaced, spaced.replace(" ", ".")):
        text = f"N° SS : {value}, patient suivi."
        spans = NirDetector().detect(Document(text))
        assert [text[s.start : s.end] for s in spans] == [value]
        assert spans[0].score == 1.0


@pytest.mark.parametrize("dept", ["2A", "2B"])
def test_nir_corsica(dept: str) -> None:
    body = f"16805{dept}123045"
    key = nir_key(body)
    assert mod97_nir_key_ok(body, key)
    text = f"n° sécu 1 68 05 {dept} 123 045 {key}."
    spans = NirDetector().detect(Document(text))
    assert len(spans) == 1 and spans[0].score == 1.0
    assert text[spans[0].start : spans[0].end].endswith(key)


def test_nir_overseas_department_grouping() -> None:
    body = "2760397614915"
    key = nir_key(body)
    text = f"N° de sécurité sociale : 2 76 03 976 14 915 {key}\n"
    assert found(text, NirDetector().detect(Document(text)), "SECU") == [f"2 76 03 976 14 915 {key}"]


def test_nir_wrong_key_still_found_with_lower_score() -> None:
    body = "1850578123456"
    wrong = f"{(int(nir_key(body)) + 1) % 97:02d}"
    text = f"NIR {body}{wrong} transmis"
    spans = NirDetector().detect(Document(text))
    assert len(spans) == 1
    assert spans[0].score < 1.0


def test_nir_not_in_longer_number() -> None:
    text = "référence 91850578123456789012"
    assert NirDetector().detect(Document(text)) == []


# --- IBAN ----------------------------------------------------------------------------------


def test_iban_valid_grouped_and_compact() -> None:
    iban = iban_with_key("FR", "20041010050500013M02606")
    assert iban_ok(iban)
    grouped = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    for value in (iban, grouped):
        text = f"RIB transmis : {value}. Merci"
        spans = IbanDetector().detect(Document(text))
        assert [text[s.start : s.end] for s in spans] == [value]
        assert spans[0].score == 1.0


def test_iban_other_country() -> None:
    iban = iban_with_key("DE", "370400440532013000")
    text = f"compte {iban} en Allemagne"
    assert found(text, IbanDetector().detect(Document(text)), "IBAN") == [iban]


def test_iban_bad_checksum_kept_lower_and_word_not_eaten() -> None:
    iban = iban_with_key("FR", "30006000011234567890189")
    bad = iban[:-1] + str((int(iban[-1]) + 1) % 10)
    assert not iban_ok(bad)
    grouped = " ".join(bad[i : i + 4] for i in range(0, len(bad), 4))
    text = f"IBAN {grouped} pour les frais"
    spans = IbanDetector().detect(Document(text))
    assert [text[s.start : s.end] for s in spans] == [grouped]
    assert spans[0].score < 1.0


# --- phones, mails, URLs -------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "0612345678",
        "01-23-45-67-89",
        "+33 6 12 34 56 78",
        "+33 (0)3 32 11 11 52",
        "0033 1 42 34 56 78",
        "+33612345678",
    ],
)
def test_phone_formats(phone: str) -> None:
    text = f"Joignable au {phone}, le soir."
    assert found(text, PhoneDetector().detect(Document(text)), "TEL") == [phone]


@pytest.mark.parametrize(
    "text", ["le 01.02.2024", "CRP 12,5 mg/L et 0,45", "100 000 UI", "dossier 061234567890123"]
)
def test_phone_not_dates_or_values(text: str) -> None:
    assert PhoneDetector().detect(Document(text)) == []


def test_email_and_url() -> None:
    text = (
        "Écrire à jean.dupont42@medecin.mssante.fr. Dossier sur https://mon-espace.ch-exemple.fr/patient/123"
        ". Site www.dr-exemple.fr et doctolib.fr/medecin/paris/exemple-x, ou ameli.fr."
    )
    spans = run(text)
    assert found(text, spans, "MAIL") == ["jean.dupont42@medecin.mssante.fr"]
    assert found(text, spans, "URL") == [
        "https://mon-espace.ch-exemple.fr/patient/123",
        "www.dr-exemple.fr",
        "doctolib.fr/medecin/paris/exemple-x",
    ]


# --- RPPS, IPP, NDA ------------------------------------------------------------------------


def _luhn_complete(prefix: str) -> str:
    return next(prefix + str(d) for d in range(10) if luhn_ok(prefix + str(d)))


def test_rpps_with_context_and_bare_luhn() -> None:
    rpps = _luhn_complete("1012345678")
    text = f"Dr X - RPPS : {rpps}\nAutre numéro {rpps}."
    spans = RppsDetector().detect(Document(text))
    assert [text[s.start : s.end] for s in spans] == [rpps, rpps]
    assert spans[0].score > spans[1].score


def test_rpps_bare_without_luhn_is_not_rpps_and_adeli_needs_context() -> None:
    rpps = _luhn_complete("1012345678")
    bad = rpps[:-1] + str((int(rpps[-1]) + 1) % 10)
    text = f"numéro {bad} et 751234567 puis ADELI 751234567"
    spans = RppsDetector().detect(Document(text))
    assert [text[s.start : s.end] for s in spans] == ["751234567"]
    assert spans[0].start == text.rindex("751234567")


def test_ipp_and_nda_by_context() -> None:
    text = "IPP : 80123456 - NDA : SEJ1234567\nN° de séjour 2024-556677. Dossier MDPH en cours."
    spans = PatientIdDetector().detect(Document(text))
    assert found(text, spans, "IPP") == ["80123456"]
    assert found(text, spans, "NDA") == ["SEJ1234567", "2024-556677"]


def test_bare_long_number_low_score_but_not_quantities() -> None:
    text = "Référence 123456789. Héparine 25000000 UI, coût 12345678 €, 1234567 mg."
    spans = PatientIdDetector().detect(Document(text))
    assert [text[s.start : s.end] for s in spans] == ["123456789"]
    assert spans[0].score < 0.6


def test_pipeline_keeps_phone_and_nir_over_bare_number() -> None:
    body = "2530299208748"
    nir = body + nir_key(body)
    text = f"Tél 0612345678, NIR {nir}, IPP 0012345678"
    spans = run(text)
    labels = {text[s.start : s.end]: s.label for s in spans}
    assert labels == {"0612345678": "TEL", nir: "SECU", "0012345678": "IPP"}
