"""Verification of revealed answers, and the ``avec`` extension field and headers built from it.

Verification runs on the *revealed* answer (what the professional reads) against the original
request text. A failing check never withholds the answer: the extension says verification was
unavailable and the journal counts nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from avec.verify import index_source, verify

_log = logging.getLogger("avec.gateway")

#: ``(answer, source)`` -> findings; ``source`` is the text, or what :func:`prepare_source` made of it.
Verifier = Callable[[str, Any], Sequence[Any]]


def default_verifier() -> Verifier:
    """``avec.verify.verify``."""
    return verify


def prepare_source(verifier: Verifier | None, source: str) -> Any:
    """The source as ``verifier`` reads it fastest: indexed once for AVEC's own checks.

    The gateway calls it while the upstream model is writing, so that only the answer is left
    to read once it arrives. A failure here is no failure of the request: the text is returned.
    """
    if verifier is not verify or not source:
        return source
    try:
        return index_source(source)
    except Exception as exc:
        _log.warning("préparation de la vérification impossible (%s)", type(exc).__name__)
        return source


def _finding_dict(finding: Any, choice: int) -> dict[str, Any]:
    def text(name: str) -> str:
        value = getattr(finding, name, "")
        return str(getattr(value, "value", value) or "")

    return {
        "choice": choice,
        "start": int(getattr(finding, "start", 0)),
        "end": int(getattr(finding, "end", 0)),
        "type": text("type"),
        "severity": text("severity"),
        "message": text("message") or text("message_fr"),
        "suggestion": text("suggestion"),
    }


def run_verification(
    verifier: Verifier | None, answers: Sequence[str], source: Any
) -> tuple[list[dict[str, Any]], str]:
    """Findings for each answer, and the verification status (``ok``, ``off``, ``indisponible``)."""
    if verifier is None:
        return [], "off"
    out: list[dict[str, Any]] = []
    try:
        for choice, answer in enumerate(answers):
            if answer.strip():
                out.extend(_finding_dict(f, choice) for f in verifier(answer, source or None))
    except Exception as exc:  # a check must never withhold the answer
        _log.warning("vérification indisponible (%s)", type(exc).__name__)
        return [], "indisponible"
    return out, "ok"


def finding_counts(findings: Sequence[Mapping[str, Any]]) -> Counter[str]:
    """Findings per type."""
    return Counter(str(f["type"]) for f in findings)


def summary_header(findings: Sequence[Mapping[str, Any]], status: str) -> str:
    """``X-AVEC-Findings``: ``<count>`` then ``; TYPE=n`` per type (ASCII), or the status."""
    if status != "ok":
        return status.encode("ascii", "replace").decode()
    counts = finding_counts(findings)
    parts = [str(sum(counts.values()))] + [f"{t}={n}" for t, n in sorted(counts.items())]
    return "; ".join(parts)


def counts_header(counts: Mapping[str, int]) -> str:
    """``LABEL=n, ...`` for ``X-AVEC-Replaced`` (labels are ASCII codes)."""
    return ", ".join(f"{k}={v}" for k, v in sorted(counts.items()) if v) or "0"


def extension(
    *,
    conversation_id: str,
    system_id: str,
    replaced: Mapping[str, int],
    allowed: Mapping[str, int],
    findings: Sequence[Mapping[str, Any]],
    status: str,
) -> dict[str, Any]:
    """The ``avec`` object added to responses (ignored by ordinary OpenAI clients)."""
    return {
        "conversation": conversation_id,
        "system": system_id,
        "protection": {"replaced": dict(replaced), "allowed": dict(allowed)},
        "verification": {"status": status, "findings": list(findings)},
    }
