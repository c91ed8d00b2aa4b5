"""JSON endpoint of the write step: analysis as the user types (debounced by the page)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from avec.protect.pipeline import ProtectionError
from avec.web.analysis import analyse
from avec.web.flow import Companion

router = APIRouter(prefix="/api")

# Live analysis runs on every pause in typing: bound it well below the protect limit.
_LIVE_LIMIT = 200_000


class AnalyseIn(BaseModel):
    """What the page sends: the current choices and both text fields."""

    system_id: str = Field(default="", max_length=64)
    task: str = Field(default="", max_length=64)
    request: str = Field(default="", max_length=_LIVE_LIMIT)
    document: str = Field(default="", max_length=_LIVE_LIMIT)


@router.post("/analyse")
def analyse_endpoint(body: AnalyseIn, request: Request) -> dict[str, Any]:
    """Identifiers (offsets and categories), indirect risk, explicitness checklist, warnings.

    Runs in the thread pool: detection is CPU-bound and must not block other requests.
    """
    companion: Companion = request.app.state.companion
    try:
        return analyse(
            companion.detector(),
            body.request,
            body.document,
            companion.systems.get(body.system_id),
            body.task,
        )
    except ProtectionError as exc:
        raise HTTPException(status_code=500, detail=f"Analyse impossible : {exc}") from None
