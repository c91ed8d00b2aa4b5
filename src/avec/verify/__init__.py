"""Checking generated answers: drugs, units and doses, grounding in a source, citations.

``from avec.verify import verify, Finding``; each check is also usable alone.
"""

from avec.verify.api import CHECKS, VerifyInputError, verify
from avec.verify.findings import TYPE_FR, Finding, FindingType, Severity
from avec.verify.grounding import SourceIndex, index_source

__all__ = [
    "CHECKS",
    "TYPE_FR",
    "Finding",
    "FindingType",
    "Severity",
    "SourceIndex",
    "VerifyInputError",
    "index_source",
    "verify",
]
