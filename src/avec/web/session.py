"""A browser session without login: a random secret in an HttpOnly, SameSite=Strict cookie.

The secret binds sealed flows to the browser that created them. Because the cookie is never
sent with a request coming from another site, requiring it on every POST also stops
cross-site form submissions (CSRF) without a token in each form.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request, Response

COOKIE = "avec_session"
_VALID = re.compile(r"[A-Za-z0-9_-]{32,64}")

CallNext = Callable[[Request], Awaitable[Response]]


async def session_middleware(request: Request, call_next: CallNext) -> Response:
    """Give every browser a session secret; refuse state-changing requests without one."""
    secret = request.cookies.get(COOKIE, "")
    fresh = not _VALID.fullmatch(secret)
    if fresh and request.method not in ("GET", "HEAD", "OPTIONS"):
        return Response(
            "Session absente : rechargez la page d'accueil d'AVEC puis recommencez.",
            status_code=403,
            media_type="text/plain; charset=utf-8",
        )
    request.state.session = secrets.token_urlsafe(32) if fresh else secret
    response = await call_next(request)
    if fresh:
        response.set_cookie(COOKIE, request.state.session, httponly=True, samesite="strict", path="/")
    # Pages may show restored identifiers: keep them out of shared caches and other frames.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'",
    )
    return response


def session_of(request: Request) -> str:
    """The session secret set by :func:`session_middleware`."""
    secret = getattr(request.state, "session", None)
    if not isinstance(secret, str):
        raise HTTPException(status_code=403, detail="Session absente.")
    return secret
