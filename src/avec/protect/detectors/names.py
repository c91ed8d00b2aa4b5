"""Person names (NOM, PRENOM): triggers, name patterns, lexicons, then propagation.

The decision rests on several signals, because no single one is reliable in clinical French:
- triggers: civilities and titles (M., Mme, Dr, Pr), roles and relatives (infirmière, fille),
  form fields (Nom :, Patient :) announce a name, whatever its case;
- shape: "Prénom NOM", "NOM Prénom", initials, particles (de, Le, Van den);
- lexicons: INSEE-derived first-name and surname frequency lists, and a French dictionary to
  tell a surname used as a name from the same word used as a word ("Petit", "un petit kyste");
- propagation: a name found once is looked for everywhere else in the same text.
Medical eponyms ("maladie de Parkinson") and drug names are kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from avec.protect.detectors.base import Detector, Document, register
from avec.protect.detectors.tokens import Token, tokenize
from avec.protect.lexicons import Lexicons, get_lexicons
from avec.text import Label, Span, fold

# Civilities and titles: the next word is a name even in lower case ("mme dupont").
_CIVILITY = frozenset(
    {
        "m",
        "mr",
        "mme",
        "mmes",
        "mlle",
        "melle",
        "monsieur",
        "madame",
        "mademoiselle",
        "dr",
        "docteur",
        "docteure",
        "pr",
        "professeur",
        "professeure",
        "me",
        "maitre",
    }
)
# Roles, relatives and form fields: the next capitalised words are a name.
_ROLE = frozenset(
    {
        "infirmier",
        "infirmiere",
        "ide",
        "ipa",
        "aide-soignant",
        "aide-soignante",
        "as",
        "asd",
        "kine",
        "kinesitherapeute",
        "ergotherapeute",
        "psychomotricien",
        "psychomotricienne",
        "orthophoniste",
        "dieteticien",
        "dieteticienne",
        "psychologue",
        "assistant",
        "assistante",
        "cadre",
        "interne",
        "externe",
        "sage-femme",
        "pharmacien",
        "pharmacienne",
        "medecin",
        "chirurgien",
        "chirurgienne",
        "anesthesiste",
        "auxiliaire",
        "educateur",
        "educatrice",
        "patient",
        "patiente",
        "resident",
        "residente",
        "usager",
        "beneficiaire",
        "fils",
        "fille",
        "epoux",
        "epouse",
        "mari",
        "femme",
        "conjoint",
        "conjointe",
        "compagnon",
        "compagne",
        "concubin",
        "concubine",
        "pere",
        "mere",
        "frere",
        "soeur",
        "oncle",
        "tante",
        "neveu",
        "niece",
        "cousin",
        "cousine",
        "petit-fils",
        "petite-fille",
        "beau-fils",
        "belle-fille",
        "gendre",
        "belle-mere",
        "beau-pere",
        "belle-soeur",
        "beau-frere",
        "tuteur",
        "tutrice",
        "curateur",
        "curatrice",
        "mandataire",
        "aidant",
        "aidante",
        "voisin",
        "voisine",
        "ami",
        "amie",
        "nee",
        "ne",
        "veuve",
        "veuf",
        "dite",
        "dit",
        "nom",
        "prenom",
        "prenoms",
        "redacteur",
        "redactrice",
        "signe",
        "signataire",
        "referent",
        "referente",
        "destinataire",
        "aide",
        "operateur",
        "operatrice",
        "prescripteur",
        "prescriptrice",
        "transmissions",
        "copie",
        "intervenant",
        "intervenante",
        "accompagne",
        "accompagnee",
        "raccompagne",
        "raccompagnee",
        "expediteur",
        "expeditrice",
        "contact",
        "confiance",
        "naissance",
        "usage",
        "identite",
        "par",
        "avec",
        "traitant",
        "traitante",
        "correspondant",
    }
)
# Role words that also serve as form fields ("Patient : dupont alfred").
_FIELDS = frozenset(
    {
        "nom",
        "prenom",
        "prenoms",
        "patient",
        "patiente",
        "identite",
        "confiance",
        "traitant",
        "traitante",
        "referent",
        "referente",
        "destinataire",
        "expediteur",
        "expeditrice",
        "usager",
        "resident",
        "residente",
        "beneficiaire",
        "naissance",
        "usage",
        "contact",
        "redacteur",
        "redactrice",
        "signataire",
        "interne",
        "externe",
        "medecin",
        "correspondant",
    }
)
# Words that announce a name only as a form field, followed by a colon ("Aide : X").
_COLON_ONLY = frozenset({"aide", "copie", "transmissions", "contact", "usage", "identite"})
# Words after which a lower-case "first-name surname" pair is a person ("pour bernard colas").
_LOWER_CUES = frozenset(
    {
        "pour",
        "de",
        "avec",
        "chez",
        "par",
        "a",
        "et",
        "concernant",
        "appeler",
        "rappeler",
        "contacter",
        "voir",
        "revoir",
        "recevoir",
        "adresser",
        "informer",
        "prevenir",
    }
)
# Roles after which even a lower-case word is a name ("née gilbert").
_LOWER_ROLES = frozenset({"nee", "epouse", "veuve", "dite"})
_LABEL_FIELDS = {"nom": Label.NOM, "prenom": Label.PRENOM, "prenoms": Label.PRENOM}
# Lower-case particles inside a name ("de La Motte", "van den Berghe", "ben Ali").
_PARTICLES = frozenset(
    {
        "de",
        "du",
        "des",
        "d'",
        "d’",
        "van",
        "von",
        "der",
        "den",
        "da",
        "di",
        "del",
        "della",
        "dos",
        "das",
        "ben",
        "el",
        "al",
        "ould",
        "le",
        "la",
        "ter",
    }
)
# Words after a civility that are not names ("Madame la directrice", "Monsieur le Docteur").
_NOT_AFTER_CIVILITY = frozenset(
    {
        "le",
        "la",
        "les",
        "l",
        "et",
        "ou",
        "de",
        "du",
        "des",
        "x",
        "y",
        "votre",
        "vos",
        "mon",
        "ma",
        "mes",
        "notre",
        "nos",
        "son",
        "sa",
        "ses",
        "leur",
        "a",
        "au",
        "aux",
        "en",
        "est",
        "qui",
        "que",
        "docteur",
        "docteure",
        "professeur",
        "madame",
        "monsieur",
        "mademoiselle",
        "pour",
        "sur",
        "garde",
        "service",
        "astreinte",
        "permanence",
        "famille",
        "ville",
        "liaison",
        "secteur",
        "pole",
        "jour",
        "nuit",
        "soins",
        "urgence",
        "urgences",
        "equipe",
        "cabinet",
    }
)
# Heads of eponyms: "maladie de Crohn", "signe de Lasègue", "drain de Redon".
_EPONYM_HEADS = frozenset(
    {
        "maladie",
        "syndrome",
        "signe",
        "score",
        "echelle",
        "classification",
        "stade",
        "test",
        "manoeuvre",
        "manœuvre",
        "drain",
        "drains",
        "sonde",
        "triade",
        "critere",
        "criteres",
        "loi",
        "operation",
        "intervention",
        "technique",
        "procedure",
        "methode",
        "fracture",
        "reflexe",
        "phenomene",
        "cellules",
        "cellule",
        "corps",
        "canal",
        "ligament",
        "muscle",
        "tumeur",
        "lymphome",
        "sarcome",
        "thyroidite",
        "encephalopathie",
        "paralysie",
        "purpura",
        "anomalie",
        "index",
        "indice",
        "formule",
        "equation",
        "regle",
        "position",
        "incision",
        "voie",
        "point",
        "cure",
        "montage",
        "protheses",
        "prothese",
        "clou",
        "plaque",
        "greffe",
        "bloc",
        "tetralogie",
        "chorée",
        "choree",
        "demence",
        "ataxie",
        "myopathie",
        "dystrophie",
        "neuropathie",
        "angor",
        "sclerose",
        "spondylarthrite",
        "ulcere",
        "diverticule",
        "hernie",
        "kyste",
        "nodule",
    }
)
# Words between an eponym head and the name: "maladie de", "signe de la".
_EPONYM_LINKS = frozenset({"de", "d", "du", "des", "la", "le", "l"})
# Section titles and frequent capitalised clinical words that are never names.
_NEVER = frozenset(
    {
        "motif",
        "objet",
        "conclusion",
        "traitement",
        "traitements",
        "antecedents",
        "atcd",
        "histoire",
        "examen",
        "examens",
        "biologie",
        "imagerie",
        "evolution",
        "diagnostic",
        "synthese",
        "sortie",
        "entree",
        "consultation",
        "hospitalisation",
        "service",
        "unite",
        "pole",
        "date",
        "tel",
        "telephone",
        "fax",
        "mail",
        "courriel",
        "adresse",
        "ipp",
        "nda",
        "rpps",
        "nir",
        "secu",
        "cher",
        "chere",
        "confrere",
        "consoeur",
        "ami",
        "amie",
        "bien",
        "cordialement",
        "confraternellement",
        "janvier",
        "fevrier",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "aout",
        "septembre",
        "octobre",
        "novembre",
        "decembre",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "rib",
        "iban",
        "ide",
        "idel",
        "as",
        "asd",
        "ash",
        "ta",
        "fc",
        "fr",
        "spo2",
        "eva",
        "gir",
        "mmse",
        "crp",
        "hba1c",
        "inr",
        "bnp",
        "ecg",
        "irm",
        "tdm",
        "ehpad",
        "ssiad",
        "had",
        "ssr",
        "usld",
        "chu",
        "ch",
        "chr",
        "samu",
        "smur",
        "cmp",
        "mdph",
        "apa",
        "caf",
        "cpam",
        "mutuelle",
        "ald",
        "cmu",
        "css",
        "ame",
        "ccas",
        "clic",
        "maia",
        "dac",
        "madame",
        "monsieur",
        "mademoiselle",
        "docteur",
        "professeur",
        "patient",
        "patiente",
        "je",
        "il",
        "elle",
        "nous",
        "vous",
        "ils",
        "elles",
        "on",
        "le",
        "la",
        "les",
        "un",
        "une",
    }
)
# Keys that can introduce a name at all (see _trigger_kind).
_TRIGGERS = _CIVILITY | _ROLE
_DETERMINERS = frozenset(
    {
        "le",
        "la",
        "les",
        "un",
        "une",
        "du",
        "des",
        "au",
        "aux",
        "ce",
        "cet",
        "cette",
        "son",
        "sa",
        "ses",
        "mon",
        "ma",
        "mes",
        "leur",
        "notre",
        "votre",
    }
)
_ROMAN = re.compile(r"[IVX]{1,5}")
_SENTENCE_END = re.compile(r"[.!?:;\n]\s*$")


def _is_particle(tok: Token) -> bool:
    # compared on the raw spelling: "dès" must not pass for the particle "des"
    return not tok.is_initial and tok.text.lower() in _PARTICLES


def _covered(text: str, tokens: Sequence[Token], spans: Sequence[Span]) -> list[bool]:
    """For each token, whether an earlier detector's span overlaps it.

    The covered characters are marked once; each token then asks about its own characters
    (a C-level search), which costs less than walking the sorted spans along the tokens.
    """
    covered = bytearray(max([len(text), *(s.end for s in spans)]))
    for s in spans:
        covered[s.start : s.end] = b"\x01" * s.length
    return [covered.find(1, tok.start, tok.end) >= 0 for tok in tokens]


class _Names:
    """Working state for one document: tokens, blocked positions, found names."""

    def __init__(self, doc: Document, lex: Lexicons) -> None:
        self.text = doc.text
        self.lex = lex
        self.tokens = tokenize(doc.text, doc.folded)
        self.blocked = _covered(doc.text, self.tokens, doc.spans)
        self.spans: list[Span] = []
        self._common: dict[str, bool] = {}
        self._non_link: list[int] | None = None

    # --- lexicon look-ups by token: the token already holds its folded form ---------------
    def first_name(self, tok: Token, max_rank: int = 1_000_000) -> bool:
        """``lex.is_first_name(tok.text, max_rank)``."""
        return self.lex.first_names.get(tok.folded, max_rank + 1) <= max_rank

    def surname(self, tok: Token, max_rank: int = 1_000_000) -> bool:
        """``lex.is_surname(tok.text, max_rank)``."""
        return self.lex.surnames.get(tok.folded, max_rank + 1) <= max_rank

    def common(self, tok: Token) -> bool:
        """``lex.is_common(tok.text)``, remembered per spelling (a costly look-up)."""
        known = self._common.get(tok.text)
        if known is None:
            known = self._common[tok.text] = self.lex.is_common_word(tok.text, tok.folded)
        return known

    def drug(self, tok: Token) -> bool:
        """``lex.is_drug(tok.text)``."""
        return tok.folded in self.lex.drugs

    # --- token predicates -------------------------------------------------------------
    def is_first_name(self, tok: Token) -> bool:
        if tok.is_initial or self.first_name(tok):
            return True
        # compound first names missing from the lists ("Gérard-Louis"): every part is one
        parts = tok.text.split("-")
        return len(parts) > 1 and all(self.lex.is_first_name(p) for p in parts)

    def is_eponym_context(self, i: int) -> bool:
        """Token i follows an eponym head ("maladie de", "signe de la") or is a known eponym."""
        j = i - 1
        while j >= 0 and self.tokens[j].key in _EPONYM_LINKS:
            j -= 1
            if i - j > 16:  # a long run ("de de de ..."): walking back from each token is quadratic
                j = self._last_non_link()[i]
                break
        return j < i - 1 and j >= 0 and self.tokens[j].key in _EPONYM_HEADS

    def _last_non_link(self) -> list[int]:
        """For each token, the index of the last token before it that is no link word (-1)."""
        if self._non_link is None:
            self._non_link = []
            last = -1
            for k, tok in enumerate(self.tokens):
                self._non_link.append(last)
                if tok.key not in _EPONYM_LINKS:
                    last = k
        return self._non_link

    def is_clinical(self, tok: Token) -> bool:
        return tok.folded in self.lex.eponyms or self.drug(tok)

    def accept(self, i: int, *, first: bool, lower_mode: bool, after_title: bool) -> bool:
        """Whether token i can be part of a name run.

        Args:
            i: token index.
            first: the token would open the run.
            lower_mode: the run is typed in lower case (a prompt: "mme dupont").
            after_title: the run follows a civility or title, so that a role word is a
                surname there ("Dr Cousin").
        """
        tok = self.tokens[i]
        if self.blocked[i] or not ((tok.is_word and len(tok.text) >= 2) or tok.is_initial):
            return False
        if tok.key in _NEVER or (tok.key in _CIVILITY and not tok.is_initial) or _ROMAN.fullmatch(tok.text):
            return False
        if tok.key in _ROLE and not (tok.is_capitalised and (after_title or not first)):
            return False
        if self.is_eponym_context(i):
            return False
        if tok.is_capitalised:
            return True
        if not lower_mode:
            return False
        if first:
            return tok.key not in _NOT_AFTER_CIVILITY
        return tok.is_initial or self._lower_name(tok)

    def name_like(self, i: int) -> bool:
        """A capitalised token that may open a name found by its shape alone."""
        return self.accept(i, first=True, lower_mode=False, after_title=False)

    def lower_first_name(self, i: int) -> bool:
        """A lower-case first name that opens a name in a prompt ("pour jean-louis cherif")."""
        tok = self.tokens[i]
        nxt = i + 1
        # the first-name look-up first: it rejects nearly every lower-case word at once
        if self.blocked[i] or not tok.is_word or not self.first_name(tok, max_rank=3000):
            return False
        if nxt >= len(self.tokens):
            return False
        after = self.tokens[nxt]
        if not (self._joined(nxt) and after.is_word and after.text.islower()):
            return False
        if not (self.surname(after, max_rank=50_000) or self.first_name(after)):
            return False
        if not self.common(tok) and not self.common(after):
            return True
        # "pour bernard colas": ordinary words too, so a cue must announce a person
        prev = self.tokens[i - 1] if i > 0 else None
        return prev is None or prev.key in _LOWER_CUES or prev.text in {",", ";", ":", "(", "\n"}

    def _lower_name(self, tok: Token) -> bool:
        """A lower-case word that can continue a name in a quickly typed prompt."""
        if tok.key in _NOT_AFTER_CIVILITY or tok.key in _ROLE or len(tok.text) < 2:
            return False
        known = self.first_name(tok) or self.surname(tok, max_rank=50_000)
        # an unknown word continues a name only if it looks like one ("stp" does not)
        return known or (len(tok.text) >= 4 and not self.common(tok))

    def _joined(self, j: int) -> bool:
        """Token j follows token j-1 on the same line with only spaces between."""
        gap = self.text[self.tokens[j - 1].end : self.tokens[j].start]
        return "\n" not in gap and not gap.strip()

    # --- runs -------------------------------------------------------------------------
    def run_from(self, i: int, *, lower_first: bool = False, after_title: bool = False) -> list[int]:
        """Indices of the name tokens starting at i (particles included), on one line."""
        n = len(self.tokens)
        run: list[int] = []
        lower_mode = lower_first and not self.tokens[i].is_capitalised
        j = i
        while j < n and len(run) < 6:
            tok = self.tokens[j]
            if tok.is_newline or (j > i and not self._joined(j)):
                break
            if _is_particle(tok):
                # particles ("de La", "van den") belong to the name only when a name word follows
                k = j
                while k + 1 < n and k - j < 3 and _is_particle(self.tokens[k]) and self._joined(k + 1):
                    k += 1
                if not _is_particle(self.tokens[k]) and self.accept(
                    k, first=False, lower_mode=lower_mode, after_title=after_title
                ):
                    run.extend(range(j, k + 1))
                    j = k + 1
                    continue
                break
            if not self.accept(j, first=not run, lower_mode=lower_mode, after_title=after_title):
                break
            run.append(j)
            j += 1
        # a lone initial is a name only when a word follows it ("J. Dupont"), not "stade III B."
        if all(self.tokens[k].is_initial for k in run):
            return []
        return run

    def prefers_first_name(self, tok: Token) -> bool:
        """The word is more frequent as a first name than as a surname."""
        fn = self.lex.first_names.get(tok.key)
        sn = self.lex.surnames.get(tok.key)
        return fn is not None and (sn is None or fn * 20 < sn)

    def parenthesised_first_name(self, k: int) -> None:
        """ "Mme Legrand (Simone)": a first name in brackets right after a name."""
        toks = self.tokens
        if (
            k + 3 < len(toks)
            and toks[k + 1].text == "("
            and toks[k + 3].text == ")"
            and (toks[k + 2].is_capitalised and self.is_first_name(toks[k + 2]) and not self.blocked[k + 2])
        ):
            self.spans.append(Span(toks[k + 2].start, toks[k + 2].end, Label.PRENOM, 0.8, "names"))
            self.blocked[k + 2] = True

    def label_run(
        self, run: list[int], score: float, field: Label | None = None, single: Label = Label.NOM
    ) -> None:
        """Split a run into PRENOM / NOM spans and record them."""
        words = [k for k in run if self.tokens[k].key not in _PARTICLES or self.tokens[k].is_upper]
        if not words:
            return
        labels: dict[int, Label] = {}
        if field is not None:
            labels = dict.fromkeys(words, field)
        elif len(words) == 1:
            labels[words[0]] = single
        else:
            first, last = self.tokens[words[0]], self.tokens[words[-1]]
            uniform = all(self.tokens[w].is_upper or self.tokens[w].text.islower() for w in words)
            if (
                uniform
                and self.is_first_name(last)
                and not last.is_initial
                and (not self.prefers_first_name(first))
            ):
                # "BONNET NOËL", "diaz susanne": administrative order, surname first
                for n, w in enumerate(words):
                    labels[w] = Label.PRENOM if n == len(words) - 1 else Label.NOM
            elif first.is_upper and not last.is_upper and self.is_first_name(last):
                # "DUPONT Marie": surname(s) first, then the first name(s)
                split = next(k for k in range(len(words)) if not self.tokens[words[k]].is_upper)
                for k, w in enumerate(words):
                    labels[w] = Label.NOM if k < split else Label.PRENOM
            elif (
                (self.is_first_name(first) and not first.is_upper)
                or first.is_initial
                or (first.is_upper and self.is_first_name(first) and len(words) >= 2)
            ):
                k = 0
                while (
                    k < len(words) - 1
                    and self.is_first_name(self.tokens[words[k]])
                    and not (self.tokens[words[k]].is_upper and not first.is_upper)
                ):
                    k += 1
                for n, w in enumerate(words):
                    labels[w] = Label.PRENOM if n < max(k, 1) else Label.NOM
            elif self.is_first_name(last) and not self.is_first_name(first):
                for n, w in enumerate(words):
                    labels[w] = Label.PRENOM if n == len(words) - 1 else Label.NOM
            else:
                labels = dict.fromkeys(words, Label.NOM)
        # particles belong to the surname that follows them; adjacent surname words form one span
        pieces: list[tuple[int, int, Label]] = []
        pending = None
        for k in run:
            tok = self.tokens[k]
            if k not in labels:
                pending = tok.start if pending is None else pending
                continue
            start = pending if pending is not None and labels[k] == Label.NOM else tok.start
            pending = None
            if pieces and pieces[-1][2] == labels[k] == Label.NOM:
                pieces[-1] = (pieces[-1][0], tok.end, Label.NOM)
            else:
                pieces.append((start, tok.end, labels[k]))
        for start, end, label in pieces:
            self.spans.append(Span(start, end, label, score, "names"))
        for k in run:
            self.blocked[k] = True


def _trigger_kind(names: _Names, i: int) -> tuple[str, Label | None] | None:
    """Whether token i introduces a name: ``civility``, ``role`` or ``field`` (with its label)."""
    tok = names.tokens[i]
    key = tok.key
    if key in _CIVILITY:
        return "civility", None
    if key in _ROLE:
        nxt = names.tokens[i + 1] if i + 1 < len(names.tokens) else None
        if key in _COLON_ONLY and (nxt is None or nxt.text != ":"):
            return None
        if key in _LABEL_FIELDS and nxt is not None and nxt.text == ":":
            return "field", _LABEL_FIELDS[key]
        return "role", None
    return None


def _clinical_ok(names: _Names, words: list[Token]) -> bool:
    """Drug names and eponyms are kept, unless a first name shows they are a person's name.

    Brands and eponyms double as names ("Diane BOURGEOIS", "Daniel Raynaud", "RAYNAUD
    Renée"): a run is rejected when it is all clinical words, or opens with one that is no
    first name and is not followed by a first name.
    """
    clinical = [names.is_clinical(w) for w in words]
    if all(clinical):
        return False
    if any(names.drug(w) and not names.is_first_name(w) for w in words[1:]):
        return False
    first_names = any(names.is_first_name(w) for w in words)
    return not clinical[0] or first_names


def _plausible_after_role(names: _Names, run: list[int]) -> bool:
    """After a role word ("par", "sa fille"), the words must read as a name, not a drug."""
    words = [names.tokens[k] for k in run if not _is_particle(names.tokens[k])]
    if not _clinical_ok(names, words):
        return False
    if len(words) > 1:
        return True
    w = words[0]
    return w.is_initial or names.is_first_name(w) or names.surname(w) or not names.common(w)


def _after_trigger(names: _Names, i: int, kind: str) -> int | None:
    """Index of the first token of the name announced by trigger i, if any."""
    toks = names.tokens
    n = len(toks)
    j = i + 1
    if kind == "role":
        # "AS de nuit : Anne", "Personne de confiance : mme X": lower-case words up to a colon
        k = j
        while k < n and k - i <= 4 and toks[k].is_word and toks[k].text.islower():
            k += 1
        if k < n and toks[k].text == ":" and k > j:
            j = k
    # skip the dot of "Dr.", a colon of "Patient :", a "de" of "fils de"
    while j < n and j - i <= 4 and toks[j].text in {".", ":", ",", "-", "(", "de", "d'", "d’"}:
        if (
            toks[j].text in {"de", "d'", "d’"}
            and j + 1 < n
            and toks[j + 1].is_capitalised
            and (kind == "civility")
        ):
            break  # "Dr de La Motte": the particle is part of the name
        j += 1
    if j >= n or toks[j].is_newline:
        return None
    if kind != "civility" and toks[j].key in _CIVILITY:
        return None  # "fille de Mme X": the civility triggers itself
    return j


@register("names")
class NameDetector(Detector):
    """Surnames and first names of patients, relatives and professionals."""

    def load(self) -> None:
        get_lexicons()

    def detect(self, doc: Document) -> list[Span]:
        names = _Names(doc, get_lexicons())
        self._triggered(names)
        self._patterns(names)
        self._propagate(names)
        return names.spans

    # Names announced by a civility, a role or a form field.
    def _triggered(self, names: _Names) -> None:
        toks = names.tokens
        for i in range(len(toks)):
            if toks[i].key not in _TRIGGERS:
                continue  # _trigger_kind would say None: most words trigger nothing
            kind = _trigger_kind(names, i)
            if kind is None or names.blocked[i]:
                continue
            j = _after_trigger(names, i, kind[0])
            if j is None:
                continue
            # after a civility or a form field ("Patient : dupont"), a lower-case word is a name
            lower_first = kind[0] == "civility" or (
                toks[j - 1].text == ":" and toks[i].key in _FIELDS and j - i <= 3
            )
            run = names.run_from(
                j,
                lower_first=lower_first or toks[i].key in _LOWER_ROLES,
                after_title=kind[0] == "civility" or toks[j - 1].text == ":" or toks[i].key in _LOWER_ROLES,
            )
            if not run:
                continue
            # after "née", "épouse" the word is a name even when it is also an eponym ("Barre")
            weak_role = kind[0] == "role" and toks[i].key not in _LOWER_ROLES
            if weak_role and not _plausible_after_role(names, run):
                continue
            single = Label.NOM
            if kind[0] == "role" and names.prefers_first_name(toks[run[-1]]):
                single = Label.PRENOM  # "IDE : Arnaud", "sa fille Marie"
            names.label_run(run, 0.85, kind[1], single=single)
            names.parenthesised_first_name(run[-1])

    # Names recognised by their shape without a trigger.
    def _patterns(self, names: _Names) -> None:
        toks = names.tokens
        for i in range(len(toks)):
            # A capitalised token opens a run by its shape or as a particle ("De", "Van"); only a
            # lower-case one can be a lower-case first name (name_like() needs a capital).
            if toks[i].is_capitalised:
                lower = False
                if not (names.name_like(i) or _is_particle(toks[i])):
                    continue
            else:
                lower = toks[i].text.islower() and names.lower_first_name(i)
                if not lower:
                    continue
            run = names.run_from(i, lower_first=lower)
            if not run:
                continue
            words = [toks[k] for k in run if not _is_particle(toks[k])]
            if self._looks_like_name(names, run, words):
                names.label_run(run, 0.75)
                names.parenthesised_first_name(run[-1])
            elif len(run) == 1 and self._lone_surname(names, run[0]):
                names.label_run(run, 0.6)
        self._bracketed_first_names(names)
        self._first_name_after_bracket(names)

    @staticmethod
    def _first_name_after_bracket(names: _Names) -> None:
        """ "Mme MARTIN (née DURAND) Odile": the first name after a bracketed birth name."""
        toks = names.tokens
        name_ends = {s.end for s in names.spans}
        for k in range(2, len(toks)):
            tok = toks[k]
            if toks[k - 1].text != ")" or names.blocked[k] or not tok.is_capitalised:
                continue
            if not names.is_first_name(tok) or tok.is_initial:
                continue
            opening = next((j for j in range(k - 2, max(k - 8, 0) - 1, -1) if toks[j].text == "("), None)
            if opening is not None and opening > 0 and toks[opening - 1].end in name_ends:
                names.spans.append(Span(tok.start, tok.end, Label.PRENOM, 0.75, "names"))
                names.blocked[k] = True

    @staticmethod
    def _bracketed_first_names(names: _Names) -> None:
        """ "Matin (René) :": a first name alone in brackets (who wrote a nursing note)."""
        toks = names.tokens
        for k in range(1, len(toks) - 1):
            tok = toks[k]
            if (
                toks[k - 1].text == "("
                and toks[k + 1].text == ")"
                and tok.is_capitalised
                and (
                    not names.blocked[k]
                    and not tok.is_initial
                    and names.is_first_name(tok)
                    and (names.prefers_first_name(tok) or not names.common(tok))
                    and not names.is_clinical(tok)
                )
            ):
                names.spans.append(Span(tok.start, tok.end, Label.PRENOM, 0.6, "names"))
                names.blocked[k] = True

    @staticmethod
    def _looks_like_name(names: _Names, run: list[int], words: list[Token]) -> bool:
        """Two to four words, each plausible in a name, at least one a first name."""
        if len(words) < 2 or len(words) > 4:
            return False
        if not _clinical_ok(names, words):
            return False
        if run[0] > 0 and names.tokens[run[0] - 1].key in _DETERMINERS:
            return False
        if not any(names.is_first_name(w) for w in words):
            return False

        def plausible(w: Token) -> bool:
            return names.is_first_name(w) or names.surname(w, max_rank=150_000) or not names.common(w)

        if not all(plausible(w) for w in words):
            return False
        if words[0].is_initial and not all(
            w.is_upper or w.is_initial or names.surname(w, max_rank=150_000) for w in words[1:]
        ):
            return False  # "lit B. Poids": an initial needs a known or capitalised surname
        if any(w.is_upper or not (w.is_initial or names.common(w)) for w in words):
            return True
        # Only ordinary words, capitalised ("Margot Lopes", "Pierre Blanc", "J. Blanc"): a
        # frequent first name followed by frequent surnames is a name far more often than not.
        first, rest = words[0], words[1:]
        return (first.is_initial or names.first_name(first, max_rank=3000)) and all(
            names.surname(w, max_rank=20_000) or names.first_name(w, max_rank=3000) for w in rest
        )

    @staticmethod
    def _lone_surname(names: _Names, i: int) -> bool:
        tok = names.tokens[i]
        return (
            tok.is_upper
            and len(tok.text) >= 3
            and names.surname(tok, max_rank=100_000)
            and not names.common(tok)
            and not names.is_clinical(tok)
            and any(c in "AEIOUYÉÈÀ" for c in tok.text)
        )

    # A name found once is looked for elsewhere in the text.
    def _propagate(self, names: _Names) -> None:
        found: dict[str, Label] = {}
        for span in names.spans:
            for part in re.split(r"\s+", names.text[span.start : span.end]):
                key = fold(part.rstrip("."))
                if len(key) >= 2 and key not in _PARTICLES and not part.endswith("."):
                    found.setdefault(key, Label(span.label))
        if not found:
            return
        for i, tok in enumerate(names.tokens):
            if names.blocked[i] or not tok.is_word or tok.key not in found:
                continue
            if tok.text.islower() and names.common(tok):
                continue
            if names.is_eponym_context(i):
                continue
            if i > 0 and names.tokens[i - 1].key in _DETERMINERS and names.tokens[i - 1].text.islower():
                continue
            names.spans.append(Span(tok.start, tok.end, found[tok.key], 0.7, "names"))
            names.blocked[i] = True
