"""The whole flow through HTTP (TestClient), on SQLite and PostgreSQL: protect, reveal, verify, record."""

from __future__ import annotations

import html
import re
from typing import Any

from clinical import DOCUMENT, DOSE_PHRASE, IDENTIFIERS, NIR, REQUEST, SURNAME
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select, update

from avec.journal.models import VaultBlob, utcnow


def _protect(client: TestClient, **changes: str) -> str:
    form = {"system_id": "ia_etablissement", "task": "resume_cr", "demande": REQUEST, "document": DOCUMENT}
    form.update(changes)
    page = client.post("/proteger", data=form)
    assert page.status_code == 200, page.text
    return page.text


def _textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea id="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, name
    return html.unescape(match.group(1))


def _flow_id(page: str) -> str:
    match = re.search(r'name="flow_id" value="([^"]+)"', page)
    assert match
    return match.group(1)


def _dump(app: FastAPI) -> list[dict[str, Any]]:
    """Every row of every table, as dicts (what a DBA or an attacker would read)."""
    meta = MetaData()
    meta.reflect(app.state.engine)
    rows: list[dict[str, Any]] = []
    with app.state.engine.connect() as conn:
        for table in meta.sorted_tables:
            rows += [dict(r._mapping) for r in conn.execute(select(table))]
    return rows


def test_whole_flow_records_no_identifier(app: FastAPI, client: TestClient) -> None:
    page = _protect(client)
    protected = _textarea(page, "protected")
    for identifier in IDENTIFIERS:
        assert identifier not in protected
    assert "paracétamol 1 g 6 fois par jour" in protected  # clinical content survives
    assert "Identifiants remplacés" in page
    assert "numéro de sécurité sociale (NIR) : 1" in page

    # The sealed mapping is in the database, unreadable without the key.
    blobs = [r for r in _dump(app) if "blob" in r]
    assert len(blobs) == 1
    assert SURNAME.encode() not in bytes(blobs[0]["blob"])

    answer = "Synthèse pour le médecin traitant :\n" + protected
    response = client.post("/reponse", data={"flow_id": _flow_id(page), "reponse": answer})
    assert response.status_code == 200
    page = response.text
    restored = _textarea(page, "texte_final")
    for identifier in IDENTIFIERS:
        assert identifier in restored
    assert "proposition à contrôler" in page
    assert 'data-type="DOSE_OVER_MAX"' in page
    assert "Clé : Vérifier" in page
    assert re.search(r'<mark class="finding" id="m1">.*?' + re.escape(DOSE_PHRASE), page, re.S)

    final = restored.replace("6 fois par jour", "4 fois par jour")
    done = client.post(
        "/valider",
        data={"flow_id": _flow_id(page), "outcome": "validated", "texte_final": final, "note": "4"},
    )
    assert done.status_code == 200
    assert "Décision enregistrée : demande validée" in done.text
    for identifier in IDENTIFIERS:
        assert identifier not in done.text

    rows = _dump(app)
    assert not [r for r in rows if "blob" in r], "the sealed mapping is deleted once the decision is made"
    dumped = repr(rows)
    for identifier in (*IDENTIFIERS, "pneumopathie", "paracétamol", "Synthèse"):
        assert identifier not in dumped
    [interaction] = [r for r in rows if "outcome" in r]
    assert interaction["outcome"] == "validated"
    assert interaction["system_id"] == "ia_etablissement"
    assert interaction["task"] == "resume_cr"
    assert interaction["rating"] == 4
    assert interaction["finding_counts"] == {"DOSE_OVER_MAX": 1}
    cats = interaction["data_categories"]
    assert cats["SECU"] == 1
    assert cats["DATE_NAISSANCE"] == 1
    assert cats.get("NOM", 0) + cats.get("PRENOM", 0) >= 2
    assert 0 < interaction["correction_ratio"] < 0.05
    assert interaction["duration_seconds"] >= 0


def test_reject_and_abandon_are_recorded(client: TestClient) -> None:
    page = _protect(client)
    client.post("/valider", data={"flow_id": _flow_id(page), "outcome": "abandoned"})
    page = _protect(client)
    page = client.post(
        "/reponse", data={"flow_id": _flow_id(page), "reponse": "Je ne peux pas répondre."}
    ).text
    client.post("/valider", data={"flow_id": _flow_id(page), "outcome": "rejected", "texte_final": ""})
    history = client.get("/historique").text
    assert "abandonnée" in history
    assert "rejetée" in history
    assert "100,0\u202f%" in history  # rejected with nothing kept: entirely rewritten


def test_another_session_cannot_use_the_mapping(app: FastAPI, client: TestClient) -> None:
    page = _protect(client)
    flow_id = _flow_id(page)
    with TestClient(app) as other:
        other.get("/")
        response = other.post("/reponse", data={"flow_id": flow_id, "reponse": "texte"})
    assert response.status_code == 404
    assert "introuvable ou a expiré" in response.text
    assert NIR not in response.text


def test_empty_request_is_refused_in_french(sqlite_client: TestClient) -> None:
    response = sqlite_client.post(
        "/proteger", data={"system_id": "chatgpt", "task": "courrier", "demande": "  ", "document": ""}
    )
    assert response.status_code == 422
    assert "Écrivez votre demande" in response.text


def test_unknown_system_is_refused(sqlite_client: TestClient) -> None:
    response = sqlite_client.post(
        "/proteger", data={"system_id": "inconnu", "task": "courrier", "demande": "Rédige", "document": ""}
    )
    assert response.status_code == 422
    assert "Choisissez un système" in response.text


def test_empty_answer_asks_again_with_the_protected_text(sqlite_client: TestClient) -> None:
    page = _protect(sqlite_client)
    response = sqlite_client.post("/reponse", data={"flow_id": _flow_id(page), "reponse": ""})
    assert response.status_code == 422
    assert "La réponse est vide" in response.text
    assert SURNAME not in _textarea(response.text, "protected")


def test_unknown_outcome_is_refused(sqlite_client: TestClient) -> None:
    page = _protect(sqlite_client)
    response = sqlite_client.post("/valider", data={"flow_id": _flow_id(page), "outcome": "peut-être"})
    assert response.status_code == 422
    assert "valider, rejeter ou abandonner" in response.text


def test_expired_mapping_cannot_reveal(app: FastAPI, client: TestClient) -> None:
    page = _protect(client)
    with app.state.engine.begin() as conn:
        conn.execute(update(VaultBlob).values(expires_at=utcnow().replace(year=2000)))
    response = client.post("/reponse", data={"flow_id": _flow_id(page), "reponse": "texte"})
    assert response.status_code == 404
    assert "a expiré" in response.text
    assert [r for r in _dump(app) if "blob" in r] == []
