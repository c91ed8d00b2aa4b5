"""Regression cases from other projects' French PII test suites (../shared/eval/peers).

Three kinds of cases, each compared as a whole set of spans (never ``zip``):

* detect cases: a text with the spans a peer's test asserts (``complete``: nothing else may be
  found; ``partial``: other entities may exist) or a type it must not find (``negative_for``);
* validator vectors: bare values, valid or not, run alone and inside a short sentence;
* leak checks: texts whose ``MUST_NOT_LEAK`` values must be fully covered by spans.

AVEC's policy differs from some peers and is applied by rule, not by listing cases:

* a mistyped identifier is still personal data: a NIR-shaped number with a wrong key (or with
  separators a peer does not accept) must be redacted, and a real calendar date in a format a
  peer rejects (ISO, dots, two-digit year) must be redacted too;
* impossible dates, IBAN-shaped strings with a wrong key or length, phone-like numbers of the
  wrong length and address-like strings that are not quite e-mails may go either way: not tested;
* strings that are not identifiers at all (no ``@``, no leading 0/+33, no date shape) must not
  get the peer's label;
* types AVEC has no label for (bank card, plate, SIREN/SIRET, VAT, file reference) must still be
  covered by some span when the peer says they are present: leaking them is a leak whatever the
  label. Their negative cases are not applicable.

Known failures live in ``known_failures.json`` and may only shrink: a listed case that passes
fails the run, so that the list stays honest.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from avec.text import FRENCH_MONTHS, Span

PEERS = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "peers"
KNOWN_FAILURES_FILE = Path(__file__).with_name("known_failures.json")

pytestmark = pytest.mark.skipif(
    not PEERS.is_dir(), reason=f"cas des projets pairs absents ({PEERS}) : rien à rejouer"
)

#: Peer labels → acceptable AVEC labels. None: AVEC has no such label (coverage only).
LABELS: dict[str, frozenset[str] | None] = {
    "NOM": frozenset({"NOM"}),
    "PATRONYME": frozenset({"NOM"}),
    "PRENOM": frozenset({"PRENOM"}),
    "SECU": frozenset({"SECU"}),
    "NIR": frozenset({"SECU"}),
    "FR_NIR": frozenset({"SECU"}),
    "TEL": frozenset({"TEL"}),
    "TELEPHONE": frozenset({"TEL"}),
    "MAIL": frozenset({"MAIL"}),
    "EMAIL": frozenset({"MAIL"}),
    "ADRESSE": frozenset({"ADRESSE"}),
    "VOIE": frozenset({"ADRESSE"}),
    "ZIP": frozenset({"ZIP"}),
    "VILLE": frozenset({"VILLE"}),
    "COMMUNE": frozenset({"VILLE"}),
    # anonyfy's DATE does not tell birth dates apart; eds-pseudo's DATE_NAISSANCE does.
    "DATE": frozenset({"DATE", "DATE_NAISSANCE"}),
    "DATE_NAISSANCE": frozenset({"DATE_NAISSANCE"}),
    "NDA": frozenset({"NDA"}),
    "IBAN": frozenset({"IBAN"}),
    "CARTE_BANCAIRE": None,
    "PLAQUE_SIV": None,
    "REFERENCE_DOSSIER": None,
    "SIREN": None,
    "SIRET": None,
    "TVA": None,
}

_SEP = r"[\s.-]?"
NIR_SHAPE = re.compile(
    rf"(?<![\w-])[12]{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}(?:\d{{2}}|2[AB]){_SEP}\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{2}}(?![\w-])"
)
_MONTHS = list(FRENCH_MONTHS)
DATE_SHAPES = (
    re.compile(r"(?<!\d)(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4}|\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"),
    re.compile(rf"(?<!\d)(?P<d>\d{{1,2}}) (?P<mn>{'|'.join(_MONTHS)}) (?P<y>\d{{4}}|\d{{2}})(?!\d)"),
)


@dataclass(frozen=True)
class Expected:
    """What a case requires of AVEC's spans."""

    present: tuple[tuple[int, int, frozenset[str] | None], ...] = ()
    absent_labels: frozenset[str] = frozenset()  # no span with these labels
    absent_all: bool = False  # no span at all
    complete: bool = False  # no span outside the present ones


@dataclass(frozen=True)
class Case:
    """One regression case, identified by its peer's source id."""

    id: str
    text: str
    expected: Expected = field(default_factory=Expected)


def _read(name: str) -> list[dict[str, Any]]:
    path = PEERS / name
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _unique_ids(records: list[dict[str, Any]], suffix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Source ids made unique within a file by an occurrence number (file order is stable)."""
    seen: Counter[str] = Counter()
    for rec in records:
        seen[rec["source"]] += 1
        n = seen[rec["source"]]
        yield f"{rec['source']}{'' if n == 1 else f'#{n}'}{suffix}", rec


def _real_date(m: re.Match[str]) -> bool:
    year = int(m["y"]) if len(m["y"]) == 4 else 1900 + int(m["y"])
    month = _MONTHS.index(m["mn"]) + 1 if m.groupdict().get("mn") else int(m["m"])
    try:
        dt.date(year, month, int(m["d"]))
    except ValueError:
        return False
    return True


def _negative(text: str, peer_label: str, complete: bool) -> Expected | None:
    """AVEC's reading of a peer's "must not find" case; None when not applicable."""
    if peer_label == "ALL":
        return Expected(absent_all=True, complete=complete)
    labels = [LABELS[p] for p in peer_label.split("|")]
    if any(lab is None for lab in labels):
        return None  # no such label in AVEC: nothing to assert
    avec = frozenset().union(*(lab for lab in labels if lab is not None))
    if "SECU" in avec and (m := NIR_SHAPE.search(text)):
        return Expected(present=((m.start(), m.end(), frozenset({"SECU"})),))  # mistyped NIR
    if "DATE" in avec:
        for shape in DATE_SHAPES:
            if m := shape.search(text):
                if not _real_date(m):
                    return None  # an impossible date may be redacted or not
                return Expected(present=((m.start(), m.end(), LABELS["DATE"]),))
    if "IBAN" in avec and re.search(r"FR\d{2}\w{20,}", text):
        return None  # an IBAN with a wrong key or length may be redacted or not
    return Expected(absent_labels=avec)


def detect_cases() -> Iterator[Case]:
    """Detect cases of every ``*_detect_cases.jsonl`` file, AVEC's policy applied."""
    for path in sorted(PEERS.glob("*_detect_cases.jsonl")) if PEERS.is_dir() else []:
        for cid, rec in _unique_ids(_read(path.name)):
            text, complete = rec["text"], bool(rec.get("complete"))
            if rec.get("negative_for"):
                expected = _negative(text, rec["negative_for"], complete)
                if expected is not None:
                    yield Case(cid, text, expected)
                continue
            present = tuple((s["start"], s["end"], LABELS[s["label"]]) for s in rec["spans"])
            yield Case(cid, text, Expected(present=present, complete=complete))


def _vector_expectation(kind: str, value: str, valid: bool) -> tuple[str, frozenset[str] | None] | None:
    """("detect", labels) / ("absent", labels) for a bare value, or None when either is fine."""
    labels = LABELS.get(kind)
    if valid:
        return ("detect", labels)
    if labels is None:
        return None
    if kind in {"NIR", "FR_NIR"}:
        return ("detect", labels) if NIR_SHAPE.fullmatch(value) else ("absent", labels)
    if kind == "DATE":
        for shape in DATE_SHAPES:
            if m := shape.fullmatch(value):
                return ("detect", labels) if _real_date(m) else None
        return ("absent", labels)
    if kind == "TELEPHONE":
        return None if re.match(r"0[1-9]|\+33", value) else ("absent", labels)
    if kind == "EMAIL":
        local, at, domain = value.partition("@")
        return None if (at and local and domain) else ("absent", labels)
    return None  # IBAN-shaped strings with a wrong key or length: either way


def vector_cases() -> Iterator[Case]:
    """Validator vectors, alone and in a short sentence."""
    for path in sorted(PEERS.glob("*_validator_vectors.jsonl")) if PEERS.is_dir() else []:
        for cid, rec in _unique_ids(_read(path.name)):
            value = rec["value"]
            rule = _vector_expectation(rec["type"], value, bool(rec["valid"])) if value else None
            if rule is None:
                continue
            for suffix, prefix, after in (
                ("|seul", "", ""),
                ("|phrase", "Valeur relevée : ", " ; à vérifier."),
            ):
                start, end = len(prefix), len(prefix) + len(value)
                if rule[0] == "detect":
                    expected = Expected(present=((start, end, rule[1]),))
                else:
                    expected = Expected(absent_labels=rule[1] or frozenset())
                yield Case(cid + suffix, prefix + value + after, expected)


def leak_cases() -> Iterator[Case]:
    """Leak checks: every MUST_NOT_LEAK value covered, whatever the label."""
    for cid, rec in _unique_ids(_read("anonyfy_synthetic_leakcheck.jsonl")) if PEERS.is_dir() else []:
        present = tuple((s["start"], s["end"], None) for s in rec["spans"])
        yield Case(cid, rec["text"], Expected(present=present))


def all_cases() -> list[Case]:
    return [*detect_cases(), *vector_cases(), *leak_cases()]


def problems(case: Case, spans: list[Span]) -> set[str]:
    """Everything that differs from the expectation, as one set (empty: the case passes)."""
    text, exp, out = case.text, case.expected, set()
    for start, end, labels in exp.present:
        piece = text[start:end]
        covered = {i for s in spans for i in range(s.start, s.end)}
        leaked = [i for i in range(start, end) if text[i].isalnum() and i not in covered]
        if leaked:
            out.add(f"fuite : « {piece} » [{start}, {end}) pas entièrement couvert")
        over = sorted({str(s.label) for s in spans if s.start < end and start < s.end})
        if labels is not None and not labels.intersection(over):
            out.add(f"étiquette : « {piece} » attendu {'/'.join(sorted(labels))}, trouvé {over or 'rien'}")
    for s in spans:
        if exp.absent_all or s.label in exp.absent_labels:
            out.add(f"en trop : « {s.text_in(text)} » {s.label}")
        elif exp.complete and not any(s.start < e and b < s.end for b, e, _ in exp.present):
            out.add(f"en trop (cas complet) : « {s.text_in(text)} » {s.label}")
    return out


def _known_failures() -> set[str]:
    if not KNOWN_FAILURES_FILE.is_file():
        return set()
    return set(json.loads(KNOWN_FAILURES_FILE.read_text(encoding="utf-8"))["cases"])


CASES = all_cases()


@pytest.fixture(scope="module")
def pipeline() -> Any:
    from avec.protect.pipeline import default_pipeline

    return default_pipeline()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_peer_case(case: Case, pipeline: Any) -> None:
    found = problems(case, pipeline.detect(case.text))
    if case.id in _known_failures():
        if not found:
            pytest.fail(f"cas réparé, à retirer de {KNOWN_FAILURES_FILE.name} : {case.id}")
        pytest.xfail("échec connu : " + " | ".join(sorted(found)))
    assert found == set(), " | ".join(sorted(found))


def test_known_failures_only_name_existing_cases() -> None:
    stale = _known_failures() - {c.id for c in CASES}
    assert stale == set(), f"entrées obsolètes dans {KNOWN_FAILURES_FILE.name}"


def test_every_peer_file_yields_cases() -> None:
    # A renamed or reformatted peer file must not silently turn the suite into a no-op.
    kinds = {"detect": list(detect_cases()), "vector": list(vector_cases()), "leak": list(leak_cases())}
    assert {k for k, v in kinds.items() if not v} == set()
