"""The live-analysis endpoint: identifiers with offsets, risk, checklist, warnings, and no echo of text."""

from __future__ import annotations

from clinical import BIRTH_DATE, DOCUMENT, NIR, SURNAME
from fastapi.testclient import TestClient


def _analyse(client: TestClient, **body: str) -> dict:  # type: ignore[type-arg]
    response = client.post("/api/analyse", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_identifiers_are_located_in_each_field(sqlite_client: TestClient) -> None:
    request = f"Rédige un courrier pour M. {SURNAME}."
    data = _analyse(
        sqlite_client, system_id="ia_etablissement", task="courrier", request=request, document=DOCUMENT
    )
    in_request = [request[s["start"] : s["end"]] for s in data["identifiers"]["request"]]
    assert SURNAME in " ".join(in_request)
    in_doc = {DOCUMENT[s["start"] : s["end"]]: s["label"] for s in data["identifiers"]["document"]}
    assert in_doc[NIR] == "SECU"
    assert in_doc[BIRTH_DATE] == "DATE_NAISSANCE"
    labels = {c["label_fr"] for c in data["counts"]}
    assert "numéro de sécurité sociale (NIR)" in labels


def test_response_never_repeats_the_text(sqlite_client: TestClient) -> None:
    response = sqlite_client.post(
        "/api/analyse", json={"system_id": "chatgpt", "task": "courrier", "request": "", "document": DOCUMENT}
    )
    for value in (SURNAME, NIR, BIRTH_DATE):
        assert value not in response.text


def test_checklist_and_tips(sqlite_client: TestClient) -> None:
    data = _analyse(sqlite_client, system_id="ia_etablissement", task="courrier", request="Résume.")
    items = {i["key"]: i for i in data["checklist"]}
    assert list(items) == ["contexte", "objectif", "sources", "format", "destinataire"]
    assert items["objectif"]["present"] is True
    assert items["destinataire"]["present"] is False
    assert items["destinataire"]["tip"]
    full = (
        "Je suis infirmière en EHPAD. Rédige, à partir du compte rendu ci-dessous, un courrier de 10 lignes "
        "pour le médecin traitant."
    )
    data = _analyse(sqlite_client, system_id="ia_etablissement", task="courrier", request=full)
    assert all(i["present"] for i in data["checklist"])


def test_warnings_for_intended_use_and_health_data(sqlite_client: TestClient) -> None:
    data = _analyse(sqlite_client, system_id="copilot", task="resume_cr", request="Résume.")
    joined = " ".join(data["warnings"])
    assert "ne fait pas partie des usages prévus" in joined
    assert "restent des données de santé à caractère personnel" in joined
    data = _analyse(sqlite_client, system_id="ia_etablissement", task="resume_cr", request="Résume.")
    assert data["warnings"] == []


def test_indirect_risk_is_reported_with_reasons(sqlite_client: TestClient) -> None:
    text = "Patiente de 103 ans, ancienne maire du village, atteinte de la maladie de Fabry."
    data = _analyse(sqlite_client, system_id="ia_etablissement", task="autre", request=text)
    assert data["risk"] is not None
    assert data["risk"]["level"] in {"modéré", "élevé"}
    assert data["risk"]["reasons"]


def test_too_long_input_is_refused_without_echo(sqlite_client: TestClient) -> None:
    secret = "Lefebvre " * 30_000
    response = sqlite_client.post("/api/analyse", json={"request": secret})
    assert response.status_code == 422
    assert "Lefebvre" not in response.text
    assert "taille autorisée" in response.text


def test_analysis_requires_the_session(sqlite_app: object) -> None:
    with TestClient(sqlite_app) as c:  # type: ignore[arg-type]
        response = c.post("/api/analyse", json={"request": "x"})
    assert response.status_code == 403
