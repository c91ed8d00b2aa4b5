"""References in an answer: malformed identifiers, incomplete references, outdated recommendations.

Following the HAS guide, a reference should let a reader find the document: a title, a source (author,
organisation or journal) and a date. Recommendations and guidelines older than ``outdated_years`` are
flagged because practice may have changed; primary studies (journal articles) are not, however old.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from avec.verify.findings import Finding, FindingType, Severity

_ITEM = re.compile(r"^[ \t]*(?:\[\d{1,3}\]|\d{1,3}[.)]|[-•*–])[ \t]+(?P<body>\S.*?)[ \t]*$", re.MULTILINE)
_DOI = re.compile(r"(?:\bdoi\s*:?\s*|\bhttps?://(?:dx\.)?doi\.org/)(?P<id>[^\s]+)", re.IGNORECASE)
_DOI_OK = re.compile(r"10\.\d{4,9}/\S+")
_PMID = re.compile(r"\bPMID\s*:?\s*(?P<id>[^\s]+)", re.IGNORECASE)
_URL = re.compile(r"(?<![\w/])(?:h[tps]{2,5}:?/+|www\.)[^\s]+", re.IGNORECASE)
_URL_OK = re.compile(r"(?:https?://|www\.)[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?(?:[/?#]\S*)?", re.IGNORECASE)
# A year, not an amount ("2000 mg" in a prescription line).
_YEAR = re.compile(r"(?<![\d,.])(?:19|20)\d{2}(?!\d|[.,]\d|\s*(?:mg|g|µg|μg|mcg|UI|mL|ml|cp|%|fois)\b)")
_JOURNAL = re.compile(r"(?:19|20)\d{2}\s*;\s*\d+|\b\d+\s*\(\d+\)\s*:\s*\d+|\bvol\.|\bJ\b|\bJournal\b|\bRev\b")
_DOC_TYPE = re.compile(
    r"\b(?:recommandations?|guide|fiche|rapport|synth[eè]se|avis|r[ée]f[ée]rentiel|consensus|"
    r"note de cadrage|argumentaire|guidelines?|position statement|parcours de soins)\b",
    re.IGNORECASE,
)
_ORGANISATION = re.compile(
    r"^(?:HAS|ANSM|ANAES|INCa|Inserm|OMS|WHO|NICE|ESC|CNAM|DGS|SPILF|SFC|SFAR|Santé publique France|"
    r"Haute Autorité de santé|Assurance maladie|(?:Société|Collège|Association|Fédération|Académie|"
    r"Institut|Agence|Ministère|Direction|Conseil|Ordre|Groupe|Centre|Union|European|American|World|"
    r"National|International|French)\b.*)$",
    re.IGNORECASE,
)
_AUTHORS = re.compile(r"^[A-ZÀ-Ý][\w'À-ÿ-]+(?:\s[A-ZÀ-Ý][\w'À-ÿ-]+)*\s[A-Z]{1,3}\b(?:,|\s+et\s+al|$|\.)")
_PUBLISHER = re.compile(r"^[\wÀ-ÿ' -]+\s*:\s*.+;\s*(?:19|20)\d{2}$")
_IN_TEXT = re.compile(
    r"\(?(?P<who>[A-ZÀ-Ý][\w'À-ÿ-]+(?:\s+et\s+al\.?)?|HAS|ANSM|OMS|NICE|ESC),\s*(?P<year>(?:19|20)\d{2})\)?"
)
_GUIDELINE_BODIES = re.compile(r"^(?:HAS|ANSM|ANAES|OMS|WHO|NICE|ESC)$")


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of a reference list: its text span and what it contains."""

    start: int
    end: int
    has_title: bool
    has_source: bool
    year: int | None
    is_guideline: bool


def _strip_id(token: str) -> str:
    return token.rstrip(".,;:")


def _identifier_findings(text: str) -> tuple[list[Finding], list[tuple[int, int]]]:
    findings: list[Finding] = []
    spans: list[tuple[int, int]] = []
    for pattern, valid, kind in ((_DOI, _DOI_OK, "DOI"), (_PMID, re.compile(r"\d{1,8}"), "PMID")):
        for m in pattern.finditer(text):
            ident = _strip_id(m.group("id"))
            end = m.start("id") + len(ident)
            spans.append((m.start(), end))
            if not valid.fullmatch(ident):
                findings.append(_malformed(m.start(), end, kind, text[m.start() : end]))
    for m in _URL.finditer(text):
        url = _strip_id(m.group(0))
        end = m.start() + len(url)
        if any(s <= m.start() < e for s, e in spans):
            continue
        spans.append((m.start(), end))
        if not _URL_OK.fullmatch(url):
            findings.append(_malformed(m.start(), end, "adresse web", url))
    return findings, spans


def _malformed(start: int, end: int, kind: str, shown: str) -> Finding:
    hint = {
        "DOI": "un DOI commence par « 10. », un préfixe de 4 à 9 chiffres, puis « / »",
        "PMID": "un PMID ne contient que des chiffres (8 au plus)",
        "adresse web": "une adresse commence par « https:// » suivi d'un nom de domaine",
    }[kind]
    return Finding(
        start,
        end,
        FindingType.CITATION_MALFORMED,
        Severity.WARNING,
        f"{kind} invalide : « {shown} » ({hint}). Une référence inventée a souvent un identifiant faux.",
        "Retrouver la référence dans PubMed ou sur le site de l'éditeur et corriger l'identifiant.",
    )


def parse_reference(body: str, start: int, id_spans: list[tuple[int, int]]) -> Reference:
    """Read one reference: which of title, source and date it has, and whether it is a guideline."""
    chars = list(body)
    for s, e in id_spans:
        for i in range(max(s - start, 0), min(e - start, len(chars))):
            chars[i] = " "
    plain = "".join(chars).strip()
    segments = [s.strip() for s in re.split(r"\.(?:\s+|$)", plain) if s.strip()]
    years = [int(y) for y in _YEAR.findall(plain)]
    has_source = has_title = is_journal = False
    for i, seg in enumerate(segments):
        bare_year = _YEAR.fullmatch(seg) is not None
        if _JOURNAL.search(seg):
            has_source = is_journal = True
        elif _PUBLISHER.match(seg) or (i == 0 and (_ORGANISATION.match(seg) or _AUTHORS.match(seg))):
            has_source = True
        elif (
            not bare_year and not _DOC_TYPE.fullmatch(seg) and not _is_doc_type(seg) and len(seg.split()) >= 2
        ):
            has_title = True
    is_guideline = not is_journal and (
        any(_is_doc_type(s) for s in segments) or bool(segments and _ORGANISATION.match(segments[0]))
    )
    return Reference(
        start, start + len(body), has_title, has_source, max(years) if years else None, is_guideline
    )


def _is_doc_type(segment: str) -> bool:
    """A segment naming the kind of document ("Recommandation de bonne pratique", "Fiche mémo")."""
    m = _DOC_TYPE.match(segment)
    return m is not None and len(segment.split()) <= 6 and ":" not in segment


def check_citations(
    answer: str, source: str | None = None, *, today: date | None = None, outdated_years: int = 10
) -> list[Finding]:
    """Citation findings for ``answer`` (the source is not needed)."""
    del source
    current = (today or date.today()).year
    findings, id_spans = _identifier_findings(answer)
    for m in _ITEM.finditer(answer):
        body = m.group("body")
        start = m.start("body")
        end = start + len(body)
        has_id = any(start <= s < end for s, _ in id_spans)
        ref = parse_reference(body, start, id_spans)
        if not (ref.year or has_id or ref.is_guideline or ref.has_source):
            continue  # a bullet of ordinary prose, not a reference
        missing = [
            name
            for name, ok in (("titre", ref.has_title), ("source", ref.has_source), ("date", ref.year))
            if not ok
        ]
        if missing and (ref.has_source or ref.has_title) and (ref.year or ref.is_guideline or has_id):
            findings.append(
                Finding(
                    ref.start,
                    ref.end,
                    FindingType.CITATION_INCOMPLETE,
                    Severity.WARNING,
                    f"Référence incomplète : il manque {', '.join(missing)}. Sans ces éléments, le lecteur "
                    "ne peut pas retrouver ni juger le document.",
                    "Compléter avec l'auteur ou l'organisme, le titre exact et l'année, ou retirer la "
                    "référence.",
                )
            )
        if ref.is_guideline and ref.year is not None and current - ref.year > outdated_years:
            findings.append(_outdated(ref.start, ref.end, ref.year, current, outdated_years))
    for m in _IN_TEXT.finditer(answer):
        year = int(m.group("year"))
        old = _GUIDELINE_BODIES.match(m.group("who")) and current - year > outdated_years
        if old and not any(f.start <= m.start() < f.end for f in findings):
            findings.append(_outdated(m.start(), m.end(), year, current, outdated_years))
    return sorted(findings, key=lambda f: (f.start, f.type))


def _outdated(start: int, end: int, year: int, current: int, years: int) -> Finding:
    return Finding(
        start,
        end,
        FindingType.CITATION_OUTDATED,
        Severity.INFO,
        f"Recommandation de {year}, publiée il y a {current - year} ans (plus de {years} ans) : elle a pu "
        "être mise à jour ou remplacée.",
        "Rechercher la version en vigueur sur le site de l'organisme (HAS, ANSM, société savante).",
    )
