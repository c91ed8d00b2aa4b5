"""Glossary of medical jargon and abbreviations with everyday words, kept as data.

The CSV (``avec/data/communicate/glossary.csv``) has one entry per line: ``term``, ``plain``
(the everyday wording), ``kind`` (``terme`` or ``sigle``), ``source`` and ``licence``. Every
entry must name its source; an organisation may load its own file with
:func:`parse_glossary`.

Matching is accent- and case-insensitive for terms (``Dyspnée`` and ``dyspnee`` both match,
and a plural ``s``/``x`` or feminine ``e`` is accepted), and exact for abbreviations, whose
case carries meaning (``IV`` is not ``iv``). Offsets always refer to the original text.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from avec.text import fold

KINDS = frozenset({"terme", "sigle"})
_REQUIRED = ("term", "plain", "kind", "source", "licence")


class GlossaryError(ValueError):
    """The glossary file is invalid; the message names the line, not its content."""


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """One piece of jargon and its everyday wording.

    Attributes:
        term: the jargon as professionals write it (``dyspnée``, ``HTA``).
        plain: the everyday wording to propose (``essoufflement``).
        kind: ``terme`` (a word or phrase) or ``sigle`` (an abbreviation).
        source: where the wording comes from (a named glossary, or "rédigé pour AVEC").
        licence: licence of the source.
    """

    term: str
    plain: str
    kind: str
    source: str
    licence: str


@dataclass(frozen=True, slots=True)
class JargonMatch:
    """An occurrence of a glossary entry in a text, at ``text[start:end]``."""

    start: int
    end: int
    entry: GlossaryEntry


class Glossary:
    """A set of entries with a matcher built once.

    Args:
        entries: glossary entries; terms must be unique (case- and accent-insensitively for
            ``terme`` entries, exactly for ``sigle`` entries).
    """

    def __init__(self, entries: tuple[GlossaryEntry, ...]) -> None:
        self.entries = entries
        self._terms: dict[str, GlossaryEntry] = {}
        self._sigles: dict[str, GlossaryEntry] = {}
        for entry in entries:
            if entry.kind == "sigle":
                self._sigles[entry.term] = entry
            else:
                self._terms[_key(entry.term)] = entry
        self._term_re = _alternation([_key(t) for t in self._terms], suffix=r"(?:e|s|es|x)?", flags=0)
        self._sigle_re = _alternation(list(self._sigles), suffix="", flags=0)

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, term: str) -> GlossaryEntry | None:
        """The entry for ``term`` (an abbreviation exactly, a term in any case or accents)."""
        return self._sigles.get(term) or self._terms.get(_key(term))

    def find(self, text: str) -> list[JargonMatch]:
        """Non-overlapping occurrences of glossary entries, longest first, in text order."""
        found: list[JargonMatch] = []
        if self._term_re is not None:
            folded = fold(text)  # same length as text: offsets stay valid
            for m in self._term_re.finditer(folded):
                stem = re.sub(r"\s+", " ", m.group("t"))
                found.append(JargonMatch(m.start(), m.end(), self._terms[stem]))
        if self._sigle_re is not None:
            for m in self._sigle_re.finditer(text):
                found.append(JargonMatch(m.start(), m.end(), self._sigles[m.group("t")]))
        found.sort(key=lambda j: (j.start, -(j.end - j.start)))
        kept: list[JargonMatch] = []
        for match in found:
            if kept and match.start < kept[-1].end:
                continue
            kept.append(match)
        return kept


def _key(term: str) -> str:
    return re.sub(r"\s+", " ", fold(term.strip()))


def _alternation(keys: list[str], *, suffix: str, flags: int) -> re.Pattern[str] | None:
    if not keys:
        return None
    # Longest first: the regex engine takes the first alternative that matches.
    parts = [re.escape(k).replace(r"\ ", r"\s+") for k in sorted(keys, key=len, reverse=True)]
    return re.compile(rf"(?<![\w-])(?P<t>{'|'.join(parts)}){suffix}(?![\w-])", flags)


def parse_glossary(text: str) -> Glossary:
    """A glossary from CSV text (header ``term,plain,kind,source,licence``).

    Raises:
        GlossaryError: missing column, empty field, unknown kind or duplicate term.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise GlossaryError(f"glossaire invalide : colonne(s) manquante(s) {', '.join(missing)}")
    entries: list[GlossaryEntry] = []
    seen: set[tuple[str, str]] = set()
    for line, row in enumerate(reader, start=2):
        values = {c: (row.get(c) or "").strip() for c in _REQUIRED}
        empty = [c for c, v in values.items() if not v]
        if empty:
            raise GlossaryError(f"glossaire, ligne {line} : champ(s) vide(s) {', '.join(empty)}")
        if values["kind"] not in KINDS:
            raise GlossaryError(f"glossaire, ligne {line} : type inconnu (terme ou sigle attendu)")
        ident = (values["kind"], values["term"] if values["kind"] == "sigle" else _key(values["term"]))
        if ident in seen:
            raise GlossaryError(f"glossaire, ligne {line} : entrée en double")
        seen.add(ident)
        entries.append(GlossaryEntry(**values))
    return Glossary(tuple(entries))


@cache
def load_glossary() -> Glossary:
    """The glossary shipped with AVEC, parsed once."""
    data = (files("avec") / "data" / "communicate" / "glossary.csv").read_text(encoding="utf-8")
    return parse_glossary(data)
