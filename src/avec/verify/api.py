"""``verify(answer, source)``: run every check and return the findings, sorted by position."""

from __future__ import annotations

from datetime import date

from avec.verify.citations import check_citations
from avec.verify.dosing import check_doses
from avec.verify.drugs import check_drugs, find_mentions
from avec.verify.findings import Finding
from avec.verify.grounding import (
    SourceIndex,
    check_drugs_grounded,
    check_numbers,
    index_source,
    ungrounded_drugs,
)

#: Names of the checks, in the order they run; pass a subset as ``checks`` to switch some off.
CHECKS: tuple[str, ...] = ("drugs", "doses", "grounding", "citations")


class VerifyInputError(ValueError):
    """The answer cannot be checked (empty, too long, not text); the message is in French."""


def verify(
    answer: str,
    source: str | SourceIndex | None = None,
    *,
    today: date | None = None,
    outdated_years: int = 10,
    checks: tuple[str, ...] = CHECKS,
    max_chars: int = 200_000,
) -> list[Finding]:
    """Check a generated answer and point at what the professional should verify.

    Args:
        answer: the text produced by the AI.
        source: the document the AI was given, if any (or its :func:`index_source`, to read it
            once for several answers); enables the grounding checks.
        today: reference date for outdated recommendations (default: today).
        outdated_years: a recommendation older than this many years is reported.
        checks: names from :data:`CHECKS` to run.
        max_chars: longer answers are refused.

    Returns:
        Findings sorted by start offset. Never a diagnosis: each says what to check and why.

    Raises:
        VerifyInputError: the answer is not a non-empty string of at most ``max_chars`` characters.
    """
    source_text = source.text if isinstance(source, SourceIndex) else source
    if not isinstance(answer, str) or (source_text is not None and not isinstance(source_text, str)):
        raise VerifyInputError("la réponse et la source doivent être du texte")
    if not answer.strip():
        raise VerifyInputError("la réponse est vide : rien à vérifier")
    if len(answer) > max_chars or (source_text is not None and len(source_text) > max_chars):
        raise VerifyInputError(f"texte trop long (maximum {max_chars} caractères) : découpez-le")
    unknown = set(checks) - set(CHECKS)
    if unknown:
        raise VerifyInputError(f"vérification inconnue : {', '.join(sorted(unknown))}")
    mentions = find_mentions(answer)
    # The source is read once for every check (and not at all when the gateway indexed it already).
    index = source if isinstance(source, SourceIndex) else (index_source(source) if source else None)
    if index is not None and not index.text:
        index = None
    findings: list[Finding] = []
    if "drugs" in checks:
        findings += check_drugs(answer, mentions=mentions)
    numbers = check_numbers(answer, index, mentions=mentions) if index else []
    if "doses" in checks:
        # With a source, a dose problem copied faithfully from it is the source's, not the AI's; and the
        # dose written next to a drug the source does not contain belongs to another drug (the
        # ungrounded-drug finding covers it). Only doses the AI changed are judged.
        skip = frozenset(m.start for m in ungrounded_drugs(answer, index, mentions))
        doses = check_doses(answer, mentions=mentions, skip=skip)
        if index:
            doses = [d for d in doses if any(n.start < d.end and d.start < n.end for n in numbers)]
        findings += doses
    if "grounding" in checks and index:
        findings += check_drugs_grounded(answer, index, mentions=mentions)
        findings += numbers
    if "citations" in checks:
        findings += check_citations(answer, today=today, outdated_years=outdated_years)
    return sorted(findings, key=lambda f: (f.start, f.end, f.type))
