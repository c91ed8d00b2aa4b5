"""A browser session without login: a random secret in an HttpOnly, SameSite=Strict cookie.

The secret binds sealed flows to the browser that created them. Because the cookie is never
sent with a request coming from another site, requiring it on every POST also stops
cross-site form submissions (CSRF) without a token in each form. As a second lock (a sibling
sub-domain counts as the same *site* for SameSite), a state-changing request whose ``Origin``
is another host, or that the browser marks ``Sec-Fetch-Site: cross-site``/``same-site``, is
refused.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, Response

COOKIE = "avec_session"
_VALID = re.compile(r"[A-Za-z0-9_-]{32,64}")

CallNext = Callable[[Request], Awaitable[Response]]
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

#: Headers of every companion response (pages may show restored identifiers).
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
}


def _forbidden(message: str) -> Response:
    return Response(message, status_code=403, media_type="text/plain; charset=utf-8")


def cross_site(request: Request) -> bool:
    """Whether a request comes from another site or another host (CSRF second lock)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        # Browsers that send it are the reliable judges; with ``Referrer-Policy: no-referrer``
        # they send ``Origin: null`` even for the page's own forms.
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return False  # old browsers and non-browser clients; the SameSite cookie still applies
    host = request.headers.get("host", "")
    return origin == "null" or urlsplit(origin).netloc.lower() != host.lower()


async def session_middleware(request: Request, call_next: CallNext) -> Response:
    """Give every browser a session secret; refuse state-changing requests without one."""
    secret = request.cookies.get(COOKIE, "")
    fresh = not _VALID.fullmatch(secret)
    if request.method not in _SAFE_METHODS and cross_site(request):
        return _forbidden("Requête refusée : elle ne vient pas d'une page d'AVEC (protection CSRF).")
    if fresh and request.method not in _SAFE_METHODS:
        return _forbidden("Session absente : rechargez la page d'accueil d'AVEC puis recommencez.")
    request.state.session = secrets.token_urlsafe(32) if fresh else secret
    response = await call_next(request)
    if fresh:
        response.set_cookie(COOKIE, request.state.session, httponly=True, samesite="strict", path="/")
    # Pages may show restored identifiers: keep them out of shared caches and other frames.
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def session_of(request: Request) -> str:
    """The session secret set by :func:`session_middleware`."""
    secret = getattr(request.state, "session", None)
    if not isinstance(secret, str):
        raise HTTPException(status_code=403, detail="Session absente.")
    return secret
