"""Communiquer: patient versions (readability, plain language) and patient information notices."""

from avec.communicate.glossary import (
    Glossary,
    GlossaryEntry,
    GlossaryError,
    JargonMatch,
    load_glossary,
    parse_glossary,
)
from avec.communicate.notice import NoticeError, PatientNotice, SharedKind, build_notice
from avec.communicate.plain_language import (
    IssueKind,
    PlainLanguageIssue,
    PlainLanguageReport,
    check_plain_language,
)
from avec.communicate.readability import (
    ENGLISH_ONLY_INDICES,
    FRENCH_INDICES,
    ReadabilityReport,
    readability,
)

__all__ = [
    "ENGLISH_ONLY_INDICES",
    "FRENCH_INDICES",
    "Glossary",
    "GlossaryEntry",
    "GlossaryError",
    "IssueKind",
    "JargonMatch",
    "NoticeError",
    "PatientNotice",
    "PlainLanguageIssue",
    "PlainLanguageReport",
    "ReadabilityReport",
    "SharedKind",
    "build_notice",
    "check_plain_language",
    "load_glossary",
    "parse_glossary",
    "readability",
]
