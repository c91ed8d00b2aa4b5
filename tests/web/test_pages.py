"""Pages of the companion: French, labelled, with the intended purpose, session-protected."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_home_states_purpose_and_personal_data(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="fr">' in html
    assert "ne pose aucun diagnostic" in html
    assert "ne calcule aucune dose pour un patient" in html
    assert "restent des données de santé à caractère personnel" in html
    for task in (
        "Résumé de compte rendu",
        "Courrier",
        "Explication au patient",
        "Recherche bibliographique",
        "Rédaction administrative",
        "Autre",
    ):
        assert task in html
    assert "à vérifier (" in html  # catalogue entries carry their review note


def test_every_form_control_has_a_label(sqlite_client: TestClient) -> None:
    html = sqlite_client.get("/").text
    ids = re.findall(r'<(?:textarea|select)[^>]*\sid="([^"]+)"', html)
    assert {"system_id", "task", "demande", "document", "ai-free-task"} <= set(ids)
    for control in ids:
        assert f'<label for="{control}"' in html


def test_session_cookie_is_httponly_and_strict(sqlite_app: object) -> None:
    with TestClient(sqlite_app) as c:  # type: ignore[arg-type]
        response = c.get("/")
    cookie = response.headers["set-cookie"]
    assert "avec_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_post_without_session_is_refused(sqlite_app: object) -> None:
    with TestClient(sqlite_app) as c:  # type: ignore[arg-type]
        response = c.post("/sans-ia", data={"task": "courrier"}, follow_redirects=False)
    assert response.status_code == 403
    assert "Session absente" in response.text


def test_static_assets_are_served(sqlite_client: TestClient) -> None:
    js = sqlite_client.get("/static/avec.js")
    assert js.status_code == 200
    assert "debounce" in js.text
    assert sqlite_client.get("/static/avec.css").status_code == 200


def test_about_page(sqlite_client: TestClient) -> None:
    html = sqlite_client.get("/a-propos").text
    assert "Pseudonymisé n'est pas anonyme" in html
    assert "Jamais de texte ni de nom" in html


def test_ai_free_task_is_recorded_and_listed(client: TestClient) -> None:
    response = client.post("/sans-ia", data={"task": "courrier"})
    assert response.status_code == 200
    assert "Tâche faite sans IA enregistrée" in response.text
    assert "Faite sans IA" in response.text


def test_ai_free_task_refuses_unknown_task(sqlite_client: TestClient) -> None:
    response = sqlite_client.post("/sans-ia", data={"task": "n'importe quoi"})
    assert response.status_code == 422
    assert "Choisissez une tâche" in response.text


def test_foreign_host_header_is_refused_when_hosts_are_set(tmp_path: object) -> None:
    from pathlib import Path

    from avec.config import Settings
    from avec.web import create_app

    settings = Settings(data_dir=Path(str(tmp_path)) / "data", database_url="")
    application = create_app(settings, verifier=None, allowed_hosts=["127.0.0.1", "localhost"])
    with TestClient(application, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/").status_code == 200
        assert c.get("/", headers={"host": "evil.example"}).status_code == 400
    application.state.engine.dispose()
