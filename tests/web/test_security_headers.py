"""Secure headers and CSRF protection of the companion's pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "avec" / "web" / "templates"
PAGES = ["/", "/a-propos", "/historique", "/static/avec.css", "/page-inconnue"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_has_secure_headers(sqlite_client: TestClient, path: str) -> None:
    r = sqlite_client.get(path)
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp and "form-action 'self'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["Cache-Control"] == "no-store"


def test_templates_need_no_inline_script_or_style() -> None:
    """The CSP forbids inline code: no template may rely on it."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"", re.I)
    offenders = [p.name for p in TEMPLATES.glob("*.html") if inline.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_cross_origin_post_is_refused_even_with_the_cookie(sqlite_client: TestClient) -> None:
    data = {"task": "courrier"}
    evil = sqlite_client.post("/sans-ia", data=data, headers={"Origin": "https://malveillant.example"})
    assert evil.status_code == 403 and "CSRF" in evil.text
    sibling = sqlite_client.post("/sans-ia", data=data, headers={"Sec-Fetch-Site": "same-site"})
    assert sibling.status_code == 403
    null = sqlite_client.post("/sans-ia", data=data, headers={"Origin": "null"})
    assert null.status_code == 403


def test_form_post_with_null_origin_from_the_page_itself_is_accepted(sqlite_client: TestClient) -> None:
    """``Referrer-Policy: no-referrer`` makes browsers send ``Origin: null`` on form posts."""
    headers = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert sqlite_client.post("/sans-ia", data={"task": "courrier"}, headers=headers).status_code == 200


def test_same_origin_post_is_accepted(sqlite_client: TestClient) -> None:
    headers = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert sqlite_client.post("/sans-ia", data={"task": "courrier"}, headers=headers).status_code == 200
    # Non-browser clients send neither header: the SameSite session cookie still applies.
    assert sqlite_client.post("/sans-ia", data={"task": "courrier"}).status_code == 200


def test_post_without_session_cookie_is_refused(sqlite_app: object) -> None:
    with TestClient(sqlite_app) as c:  # type: ignore[arg-type]
        r = c.post("/sans-ia", data={"task": "courrier"}, headers={"Origin": "http://testserver"})
    assert r.status_code == 403 and "Session absente" in r.text
