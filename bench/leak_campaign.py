"""Leak campaign: thousands of gateway requests carrying planted identifiers; did any leak?

The script starts two processes on loopback: an upstream stand-in that writes every request it
receives (headers and body bytes) to a file and echoes the last user message back (so reveal is
exercised, streamed in 5-character pieces), and the gateway (real detection pipeline, vaults in
its SQLite database, every logger at DEBUG into a file, SQL statements included). Then clients
send ``--requests`` requests at ``--concurrency``, mixed streaming and not, in many multi-turn
conversations (named by header, by ``user`` or by their opening), each turn planting new
identifiers from a generator: names (faker fr_FR), NIR with valid keys, phones, birth dates,
addresses, real cities and postcodes, e-mails, IPP.

Reported: identifiers that reached the upstream (by category, with example *shapes*, never the
values), identifiers found in the gateway's logs and database, and errors by kind.

    .venv/bin/python bench/leak_campaign.py                          # 10,000 requests
    .venv/bin/python bench/leak_campaign.py --requests 200 --concurrency 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

KEYS = {"poste-a": "avec-campagne-cle-a", "poste-b": "avec-campagne-cle-b"}
MODEL = "modele-campagne"
CITIES = [
    ("Nantes", "44000"), ("Rennes", "35000"), ("Brest", "29200"), ("Quimper", "29000"),
    ("Lorient", "56100"), ("Angers", "49000"), ("Tours", "37000"), ("Poitiers", "86000"),
    ("Limoges", "87000"), ("Bordeaux", "33000"), ("Toulouse", "31000"), ("Montpellier", "34000"),
    ("Marseille", "13001"), ("Nice", "06000"), ("Grenoble", "38000"), ("Lyon", "69003"),
    ("Dijon", "21000"), ("Besançon", "25000"), ("Strasbourg", "67000"), ("Metz", "57000"),
    ("Nancy", "54000"), ("Reims", "51100"), ("Lille", "59000"), ("Amiens", "80000"),
    ("Rouen", "76000"), ("Caen", "14000"), ("Orléans", "45000"), ("Clermont-Ferrand", "63000"),
    ("Perpignan", "66000"), ("Pau", "64000"), ("Bayonne", "64100"), ("Valence", "26000"),
]  # fmt: skip
CLINICAL = [
    "Antécédents d'HTA sous amlodipine 5 mg par jour et de diabète de type 2 sous metformine 1000 mg "
    "deux fois par jour. Créatinine à 95 µmol/L.",
    "Hospitalisation pour pneumopathie traitée par amoxicilline 1 g trois fois par jour pendant 7 jours, "
    "évolution favorable.",
    "Chute à domicile sans perte de connaissance, radiographie du poignet normale, paracétamol 1 g "
    "si douleur, au maximum 4 g par jour.",
    "Bilan de fibrillation atriale, anticoagulation par apixaban 5 mg matin et soir, score CHA2DS2-VASc à 3.",
]
TASKS = [
    "Rédigez un résumé pour le médecin traitant.",
    "Préparez un courrier de sortie clair.",
    "Listez les points à surveiller.",
]
CATEGORIES = ("PRENOM", "NOM", "NIR", "TEL", "DATE_NAISSANCE", "ADRESSE", "VILLE", "ZIP", "MAIL", "IPP")
_DIGIT_CATEGORIES = {"NIR", "TEL", "IPP", "ZIP"}


# --- planted identifiers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """One person's planted identifiers, as written in the prompt."""

    civility: str
    first: str
    last: str
    nir: str
    phone: str
    birth: str
    street: str
    city: str
    zip: str
    mail: str
    ipp: str

    def values(self) -> dict[str, str]:
        """Category -> value to look for (digits only for numbers)."""
        return {
            "PRENOM": self.first,
            "NOM": self.last,
            "NIR": re.sub(r"\D", "", self.nir),
            "TEL": re.sub(r"\D", "", self.phone)[-9:],  # +33 and 0 forms both end the same
            "DATE_NAISSANCE": self.birth,
            "ADRESSE": self.street.split(", ", 1)[-1],
            "VILLE": self.city,
            "ZIP": self.zip,
            "MAIL": self.mail,
            "IPP": re.sub(r"\D", "", self.ipp),
        }


class Generator:
    """Fresh French identities with realistic formats (faker fr_FR, valid NIR keys)."""

    def __init__(self, seed: int) -> None:
        from faker import Faker

        self.rng = random.Random(seed)
        self.faker = Faker("fr_FR")
        self.faker.seed_instance(seed)
        self._texts = " ".join(CLINICAL + TASKS + [t.format(**_BLANKS) for t in TEMPLATES + FOLLOW_UPS])

    def _clashes(self, word: str) -> bool:
        return re.search(rf"(?i)\b{re.escape(word)}\b", self._texts) is not None or len(word) < 3

    def identity(self) -> Identity:
        f, r = self.faker, self.rng
        while True:
            female = r.random() < 0.5
            first = f.first_name_female() if female else f.first_name_male()
            last = f.last_name()
            if not (self._clashes(first) or self._clashes(last) or first == last):
                break
        nir = f.ssn()
        nir = r.choice(
            [nir, f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]} {nir[13:]}"]
        )
        digits = f"{r.choice('1234567')}{r.randrange(10**8):08d}"
        phone = r.choice(
            [
                f"0{digits[0]} {digits[1:3]} {digits[3:5]} {digits[5:7]} {digits[7:9]}",
                f"0{digits[0]}.{digits[1:3]}.{digits[3:5]}.{digits[5:7]}.{digits[7:9]}",
                f"+33 {digits[0]} {digits[1:3]} {digits[3:5]} {digits[5:7]} {digits[7:9]}",
                f"0{digits}",
            ]
        )
        birth = f.date_of_birth(minimum_age=1, maximum_age=99).strftime("%d/%m/%Y")
        city, postcode = r.choice(CITIES)
        street = f"{r.randint(1, 180)}, {r.choice(['rue', 'avenue', 'boulevard', 'impasse'])} {f.last_name()}"
        user = f"{first}.{last}".lower().replace(" ", "-")
        mail = f"{user}@{r.choice(['orange.fr', 'free.fr', 'laposte.net', 'gmail.com'])}"
        mail = re.sub(r"[^a-z0-9@.\-]", "", mail.encode("ascii", "ignore").decode())
        ipp = f"{r.randrange(10**8, 10**9)}"
        return Identity(
            "Mme" if female else "M.", first, last, nir, phone, birth, street, city, postcode, mail, ipp
        )


TEMPLATES = [
    "Compte rendu d'hospitalisation de {civ} {first} {last}, né(e) le {birth}, NIR {nir}, IPP {ipp}. "
    "Adresse : {street}, {zip} {city}. Téléphone : {phone}. Courriel : {mail}. {clinical} {task}",
    "Bonjour, je suis infirmière. {civ} {LAST} {first} (IPP : {ipp}), date de naissance {birth}, "
    "habite au {street} à {city} ({zip}) ; on la joint au {phone} ou par {mail}. "
    "Numéro de sécurité sociale : {nir}. {clinical} {task}",
    "Patient(e) : {first} {last}\nDate de naissance : {birth}\nN° SS : {nir}\nIPP {ipp}\n"
    "Domicile : {street}, {zip} {city}\nTél : {phone}\nMail : {mail}\n\n{clinical}\n{task}",
]
FOLLOW_UPS = [
    "Ajoutez que {first} {last} a rappelé depuis le {phone} et que son dossier porte l'IPP {ipp}.",
    "Sa fille, {civ} {first} {last}, née le {birth}, l'accompagnera ; elle habite {street}, {zip} {city}.",
    "Envoyez aussi une copie à {mail} ({first} {last}, NIR {nir}).",
]
_BLANKS = dict.fromkeys(
    ["civ", "first", "last", "LAST", "birth", "nir", "ipp", "street", "zip", "city", "phone", "mail",
     "clinical", "task"], "",
)  # fmt: skip


def render(template: str, who: Identity, rng: random.Random) -> str:
    """A prompt from a template."""
    return template.format(
        civ=who.civility,
        first=who.first,
        last=who.last,
        LAST=who.last.upper(),
        birth=who.birth,
        nir=who.nir,
        ipp=who.ipp,
        street=who.street,
        zip=who.zip,
        city=who.city,
        phone=who.phone,
        mail=who.mail,
        clinical=rng.choice(CLINICAL),
        task=rng.choice(TASKS),
    )


# --- the two servers -----------------------------------------------------------------------------


def upstream_app(record: Path) -> Any:
    """A raw ASGI OpenAI-compatible stand-in writing every request (headers, body) to ``record``."""
    out = record.open("a", encoding="utf-8")

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        out.write(json.dumps({"headers": headers, "body": raw.decode("utf-8", "replace")}) + "\n")
        out.flush()
        if scope["method"] != "POST":  # start-up probes
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})
            return
        body = json.loads(raw)
        last = next(m for m in reversed(body["messages"]) if m.get("role") == "user")
        answer = "Réponse : " + str(last.get("content") or "")
        if not body.get("stream"):
            data = {
                "id": "c",
                "object": "chat.completion",
                "created": 1,
                "model": body["model"],
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": len(raw) // 4, "completion_tokens": len(answer) // 4},
            }
            payload = json.dumps(data).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": payload})
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )

        def event(delta: dict[str, Any], finish: str | None = None) -> bytes:
            data = {"id": "s", "object": "chat.completion.chunk", "created": 1, "model": body["model"],
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
            return b"data: " + json.dumps(data).encode() + b"\n\n"

        pieces = [event({"role": "assistant", "content": ""})]
        pieces += [event({"content": answer[i : i + 5]}) for i in range(0, len(answer), 5)]
        pieces += [event({}, "stop"), b"data: [DONE]\n\n"]
        for i in range(0, len(pieces), 8):
            await send({"type": "http.response.body", "body": b"".join(pieces[i : i + 8]), "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    return app


def gateway_app(upstream: str, tmp: Path, log: Path, vault_key: str) -> Any:
    """The gateway as deployed (real pipeline and verifier, vaults in the database), logging all."""
    import logging

    from avec.config import Settings
    from avec.gateway import create_app, hash_key, parse_config

    handler = logging.FileHandler(log, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # statements and parameters
    cfg = parse_config(
        {
            "systems": [{"id": "campagne", "base_url": f"{upstream}/v1", "provider": "mistralai",
                         "models": [{"name": MODEL, "upstream": "mistral-small-latest"}]}],
            "keys": [{"id": k, "sha256": hash_key(v)} for k, v in KEYS.items()],
            "options": {"vault_store": "database", "verify": True},
        }
    )  # fmt: skip
    settings = Settings(data_dir=tmp, vault_key=vault_key)
    return create_app(settings, config=cfg)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(role: str, port: int, upstream: str, tmp: Path) -> None:
    import uvicorn

    if role == "upstream":
        uvicorn.run(upstream_app(tmp / "upstream.jsonl"), host="127.0.0.1", port=port, log_level="error")
        return
    app = gateway_app(upstream, tmp, tmp / "gateway.log", os.environ["AVEC_VAULT_KEY"])
    # log_config=None: uvicorn's loggers (access log included) propagate to the DEBUG file.
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, log_level="debug", access_log=True)


def _wait(url: str, proc: subprocess.Popen[bytes], limit: float = 180) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("a server process exited at start-up")
        try:
            httpx.get(f"{url}/v1/models", headers={"Authorization": f"Bearer {KEYS['poste-a']}"}, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError("server did not start in time")


# --- clients -------------------------------------------------------------------------------------


@dataclass
class Conv:
    """A client conversation: its history, its people, how it is named."""

    key: str
    naming: str
    name: str
    people: list[Identity] = field(default_factory=list)
    messages: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Outcome:
    """What happened to the requests."""

    sent: int = 0
    ok: int = 0
    streamed: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    by_seed: dict[int, list[Identity]] = field(default_factory=dict)
    conv_of: dict[int, tuple[str, str | None, dict[str, Any]]] = field(default_factory=dict)
    mismatches: list[tuple[str, str]] = field(default_factory=list)


def _new_conv(gen: Generator, n: int) -> Conv:
    naming = ("header", "user", "auto")[n % 3]
    return Conv(
        key=("poste-a", "poste-b")[n % 2], naming=naming, name=f"campagne-{n}-{gen.rng.randrange(10**9)}"
    )


def _turn(gen: Generator, conv: Conv) -> str:
    who = gen.identity()
    conv.people.append(who)
    if not conv.messages:
        return render(gen.rng.choice(TEMPLATES), who, gen.rng)
    return render(gen.rng.choice(FOLLOW_UPS), who, gen.rng)


async def _request(
    client: httpx.AsyncClient, url: str, conv: Conv, seed: int, stream: bool
) -> tuple[str, str]:
    """Send one turn; returns (answer text, error kind or '')."""
    body: dict[str, Any] = {"model": MODEL, "messages": conv.messages, "stream": stream, "seed": seed}
    headers = {"Authorization": f"Bearer {KEYS[conv.key]}"}
    if conv.naming == "header":
        headers["X-AVEC-Conversation"] = conv.name
    elif conv.naming == "user":
        body["user"] = conv.name
    path = f"{url}/v1/chat/completions"
    if not stream:
        r = await client.post(path, json=body, headers=headers)
        if r.status_code != 200:
            return "", f"HTTP {r.status_code} {r.json().get('error', {}).get('code')}"
        return str(r.json()["choices"][0]["message"]["content"]), ""
    text: list[str] = []
    async with client.stream("POST", path, json=body, headers=headers) as r:
        if r.status_code != 200:
            await r.aread()
            return "", f"HTTP {r.status_code} {r.json().get('error', {}).get('code')}"
        done = False
        async for line in r.aiter_lines():
            if not line.startswith("data: "):
                continue
            if line == "data: [DONE]":
                done = True
                continue
            data = json.loads(line[6:])
            if "error" in data:
                return "", f"flux {data['error'].get('code')}"
            text += [(c.get("delta") or {}).get("content") or "" for c in data.get("choices", [])]
        if not done:
            return "", "flux sans [DONE]"
    return "".join(text), ""


async def _clients(url: str, total: int, concurrency: int, turns: int, seed: int, deadline: float) -> Outcome:
    gen = Generator(seed)
    out = Outcome()
    counter = iter(range(total))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        async def worker(w: int) -> None:
            conv_no = w * 1_000_000
            conv = _new_conv(gen, conv_no)
            for seq in counter:
                if time.monotonic() > deadline:
                    out.errors["campagne arrêtée (durée maximale)"] += 1
                    return
                if len(conv.people) >= turns:
                    conv_no += 1
                    conv = _new_conv(gen, conv_no)
                prompt = _turn(gen, conv)
                conv.messages.append({"role": "user", "content": prompt})
                out.by_seed[seq] = list(conv.people)
                named = conv.name if conv.naming != "auto" else None
                out.conv_of[seq] = (conv.key, named, {"messages": conv.messages[:1]})
                stream = seq % 2 == 1
                out.sent += 1
                try:
                    answer, error = await _request(client, url, conv, seq, stream)
                except (httpx.HTTPError, ValueError) as exc:
                    answer, error = "", f"client {type(exc).__name__}"
                if error:
                    out.errors[error] += 1
                    conv.messages.pop()
                    conv.people.pop()
                    continue
                if answer != "Réponse : " + prompt:
                    out.errors["réponse mal restituée"] += 1
                    out.mismatches.append(("Réponse : " + prompt, answer))
                out.ok += 1
                out.streamed += stream
                conv.messages.append({"role": "assistant", "content": answer})

        await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return out


# --- scans ---------------------------------------------------------------------------------------

_RUN = re.compile(r"\d(?:[\d .\-/]*\d)?")
# At least one hex letter: a long run of digits alone may be a planted number, never skipped.
_HEX_DIGEST = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-fA-F-]*[a-fA-F])[0-9a-fA-F-]{16,}(?![0-9A-Za-z])")
_LOOPBACK = re.compile(r"127\.0\.0\.1:\d+|\bport=\d+")
# Object addresses in DEBUG lines (``<memory at 0x7f3b44000e50>``) hold random digit runs too.
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]+\b")
_FERNET = re.compile(r"gAAAAA[A-Za-z0-9_\-]{20,}={0,2}")


def _digit_runs(text: str) -> list[str]:
    return [re.sub(r"\D", "", m.group()) for m in _RUN.finditer(text)]


def find(category: str, value: str, text: str, runs: list[str] | None = None) -> bool:
    """Whether ``value`` of ``category`` appears in ``text`` (numbers: across separators)."""
    if category in _DIGIT_CATEGORIES:
        runs = _digit_runs(text) if runs is None else runs
        return any(value == r for r in runs) if category == "ZIP" else any(value in r for r in runs)
    return re.search(rf"(?i)(?<![\w@.]){re.escape(value)}(?![\w@])", text) is not None


def shape(value: str) -> str:
    """The shape of a value (letters to ``A``/``a``, digits to ``9``): safe to print."""
    return re.sub(r"[a-zà-ÿ]", "a", re.sub(r"[A-ZÀ-Þ]", "A", re.sub(r"\d", "9", value)))


def _records(path: Path) -> Iterator[tuple[dict[str, Any], str]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        try:
            text = json.dumps(json.loads(rec["body"]), ensure_ascii=False)  # escapes resolved
        except ValueError:
            text = rec["body"]
        yield rec, text + "\n" + rec["body"] + "\n" + " ".join(f"{k}: {v}" for k, v in rec["headers"])


class Surrogates:
    """The surrogates of each conversation, read from the sealed vaults with the campaign's key.

    A planted value found upstream that is (part of) a surrogate of the same conversation is a
    coincidence (realistic surrogates are drawn from the same kind of name lists), not a leak.
    """

    def __init__(self, database: Path, vault_key: str) -> None:
        from sqlalchemy import create_engine, text

        from avec.config import Settings
        from avec.gateway.conversations import Conversations, MemoryBlobStore

        self.key = vault_key.encode()
        self.convs = Conversations(MemoryBlobStore(3600), self.key, Settings(vault_key=vault_key))
        engine = create_engine(f"sqlite:///{database}")
        with engine.connect() as conn:
            self.blobs = {r[0]: bytes(r[1]) for r in conn.execute(text("SELECT id, blob FROM vault_blobs"))}
        engine.dispose()
        self._cache: dict[str, str] = {}

    def of(self, key_id: str, name: str | None, opening: dict[str, Any]) -> str:
        """All surrogates of one conversation, lowercased, one per line."""
        from avec.gateway.auth import Principal
        from avec.protect.api import Conversation

        client_id = name or self.convs.client_id(None, opening)
        storage = self.convs.storage_key(Principal(key_id), client_id)
        if storage not in self._cache:
            blob = self.blobs.get(storage)
            entries = Conversation.from_blob(blob, self.key).vault if blob else []
            self._cache[storage] = "\n".join(e.surrogate.lower() for e in entries)
        return self._cache[storage]


def scan_upstream(
    path: Path, out: Outcome, surrogates: Surrogates
) -> tuple[Counter[str], Counter[str], Counter[str], dict[str, list[str]], int]:
    """Planted values found upstream, each request against its own conversation's people.

    Returns (distinct leaked identifiers per category, requests carrying them per category,
    coincidences with surrogates per category, example shapes, requests recorded).
    """
    distinct: dict[str, set[tuple[int, str]]] = {}
    per_request: Counter[str] = Counter()
    by_role: Counter[str] = Counter()
    coincidences: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    count = 0
    for rec, text in _records(path):
        count += 1
        seed = json.loads(rec["body"]).get("seed") if rec["body"] else None
        if seed not in out.by_seed:
            continue
        runs = _digit_runs(text)
        low = text.lower()
        messages = json.loads(rec["body"]).get("messages", [])
        for who in out.by_seed[seed]:
            for category, value in who.values().items():
                quick = category in _DIGIT_CATEGORIES or value.lower() in low
                if not (quick and find(category, value, text, runs)):
                    continue
                roles = {
                    str(m.get("role"))
                    for m in messages
                    if find(category, value, json.dumps(m, ensure_ascii=False))
                } or {"hors messages"}
                # Numbers too: a surrogate postcode chosen in an earlier turn may equal the real
                # postcode planted for a later person of the same conversation.
                if find(category, value, surrogates.of(*out.conv_of[seed])):
                    coincidences[category] += 1
                    continue
                per_request[category] += 1
                for role in roles:
                    by_role[f"{category}/{role}"] += 1
                distinct.setdefault(category, set()).add((id(who), category))
                shapes = examples.setdefault(category, [])
                if len(shapes) < 5 and shape(value) not in shapes:
                    shapes.append(shape(value))
    leaks = Counter({c: len(v) for c, v in distinct.items()})
    examples["par rôle du message"] = [f"{k}={v}" for k, v in sorted(by_role.items())]
    return leaks, per_request, coincidences, examples, count


def scan_text(text: str, people: list[Identity]) -> Counter[str]:
    """Planted values of anyone found in ``text`` (sealed Fernet tokens removed first).

    One Aho-Corasick pass over the text for words (case-insensitive, on word boundaries) and one
    over its digit runs for numbers (whole runs, so that long unrelated runs never match).
    """
    import ahocorasick

    text = _LOOPBACK.sub(" ", _FERNET.sub(" ", text))  # sealed vaults; ports in access and DEBUG lines
    # Hexadecimal digests (conversation keys, session hashes, request ids) hold random digit runs
    # that coincide with planted postcodes by chance: they are hashes, not identifiers.
    text = _ADDRESS.sub(" ", _HEX_DIGEST.sub(" ", text))
    words, digits = ahocorasick.Automaton(), ahocorasick.Automaton()
    for who in people:
        for category, value in who.values().items():
            if category not in _DIGIT_CATEGORIES:
                words.add_word(value.lower(), (category, value.lower()))
                continue
            # Whole digit runs only: long runs of unrelated digits (timestamps, floats of the
            # journal's impacts) would otherwise contain any 9-digit value by chance.
            forms = [value] if category != "TEL" else [value, "0" + value, "33" + value]
            for form in forms:
                digits.add_word(f"|{form}|", (category, value))
    found: dict[str, set[str]] = {}
    low = text.lower()
    if len(words):
        words.make_automaton()
        for end, (category, needle) in words.iter(low):
            start = end - len(needle) + 1
            before = low[start - 1] if start > 0 else " "
            after = low[end + 1] if end + 1 < len(low) else " "
            if not (before.isalnum() or before in "@.") and not (after.isalnum() or after == "@"):
                found.setdefault(category, set()).add(needle)
    if len(digits):
        digits.make_automaton()
        joined = "|" + "|".join(_digit_runs(text)) + "|"
        for _, (category, needle) in digits.iter(joined):
            found.setdefault(category, set()).add(needle)
    return Counter({category: len(values) for category, values in found.items()})


def dump_database(path: Path) -> tuple[str, int, int]:
    """Every table of the SQLite journal as text; also (rows, sealed blobs that decrypt)."""
    from cryptography.fernet import Fernet, InvalidToken
    from sqlalchemy import create_engine, inspect, text

    fernet = Fernet(os.environ["AVEC_VAULT_KEY"].encode())
    engine = create_engine(f"sqlite:///{path}")
    parts: list[str] = []
    rows = sealed = 0
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                rows += 1
                for value in row:
                    if isinstance(value, bytes):
                        try:
                            fernet.decrypt(value)
                            sealed += 1
                            continue  # ciphertext: checked to be a vault token, not scanned
                        except InvalidToken:
                            value = value.decode("utf-8", "replace")
                    parts.append(str(value))
    engine.dispose()
    return "\n".join(parts), rows, sealed


# --- the campaign --------------------------------------------------------------------------------


def run_campaign(
    requests: int = 10_000,
    concurrency: int = 16,
    turns: int = 4,
    seed: int = 7,
    max_seconds: float = 3600,
    workdir: Path | None = None,
) -> dict[str, Any]:
    """Run the whole campaign; returns the figures (no planted value in them, shapes only)."""
    from cryptography.fernet import Fernet

    tmp = workdir or Path(tempfile.mkdtemp(prefix="avec-campagne-"))
    up_port, gw_port = _free_port(), _free_port()
    up, gw = f"http://127.0.0.1:{up_port}", f"http://127.0.0.1:{gw_port}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "AVEC_VAULT_KEY": Fernet.generate_key().decode()}
    os.environ["AVEC_VAULT_KEY"] = env["AVEC_VAULT_KEY"]
    me = [sys.executable, str(Path(__file__).resolve())]
    log_out = (tmp / "stdout-stderr.log").open("wb")
    procs = [
        subprocess.Popen([*me, "--role", "upstream", "--port", str(up_port), "--tmp", str(tmp)], env=env),
        subprocess.Popen(
            [*me, "--role", "gateway", "--port", str(gw_port), "--upstream", up, "--tmp", str(tmp)],
            env=env, stdout=log_out, stderr=subprocess.STDOUT,
        ),
    ]  # fmt: skip
    try:
        _wait(up, procs[0])
        _wait(gw, procs[1])
        t0 = time.monotonic()
        out = asyncio.run(_clients(gw, requests, concurrency, turns, seed, t0 + max_seconds))
        elapsed = time.monotonic() - t0
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        log_out.close()
    people = [who for group in out.by_seed.values() for who in group]
    people = list({id(p): p for p in people}.values())
    surrogates = Surrogates(tmp / "avec.sqlite3", env["AVEC_VAULT_KEY"])
    leaks, per_request, coincidences, examples, upstream_requests = scan_upstream(
        tmp / "upstream.jsonl", out, surrogates
    )
    with (tmp / "mismatches.jsonl").open("w", encoding="utf-8") as fh:  # fake data, for diagnosis
        fh.writelines(json.dumps(m, ensure_ascii=False) + "\n" for m in out.mismatches)
    logs = (tmp / "gateway.log").read_text(encoding="utf-8", errors="replace")
    logs += (tmp / "stdout-stderr.log").read_text(encoding="utf-8", errors="replace")
    db_text, db_rows, sealed = dump_database(tmp / "avec.sqlite3")
    return {
        "requests": out.sent,
        "ok": out.ok,
        "streamed_ok": out.streamed,
        "concurrency": concurrency,
        "turns_per_conversation": turns,
        "people_planted": len(people),
        "identifiers_planted": sum(len(p.values()) for p in people),
        "seconds": round(elapsed, 1),
        "upstream_requests": upstream_requests,
        "upstream_leaks": dict(leaks),
        "upstream_leaks_requests": dict(per_request),
        "upstream_surrogate_coincidences": dict(coincidences),
        "upstream_leak_shapes": examples,
        "log_bytes": len(logs),
        "log_leaks": dict(scan_text(logs, people)),
        "db_rows": db_rows,
        "db_sealed_blobs": sealed,
        "db_leaks": dict(scan_text(db_text, people)),
        "errors": dict(out.errors),
        "workdir": str(tmp),
    }


def _markdown(r: dict[str, Any]) -> str:
    def total(name: str) -> str:
        counts = r[name]
        return f"{sum(counts.values())} {counts or ''}"

    sent = f"{r['requests']} ({r['ok']}, {r['streamed_ok']})"
    lines = [
        "| mesure | valeur |",
        "|---|---|",
        f"| requêtes envoyées (dont réussies, dont en flux) | {sent} |",
        f"| clients simultanés | {r['concurrency']} |",
        f"| personnes / identifiants plantés | {r['people_planted']} / {r['identifiers_planted']} |",
        f"| durée | {r['seconds']} s |",
        f"| requêtes reçues par l'amont | {r['upstream_requests']} |",
        f"| identifiants distincts arrivés à l'amont | {total('upstream_leaks')} |",
        f"| occurrences (requêtes × identifiant, historique renvoyé) | {total('upstream_leaks_requests')} |",
        f"| coïncidences avec un pseudonyme (pas des fuites) | {total('upstream_surrogate_coincidences')} |",
        f"| formes des fuites (exemples) | {r['upstream_leak_shapes'] or '—'} |",
        f"| identifiants dans les journaux ({r['log_bytes']} octets) | {total('log_leaks')} |",
        f"| identifiants dans la base ({r['db_rows']} lignes, {r['db_sealed_blobs']} coffres chiffrés) "
        f"| {total('db_leaks')} |",
        f"| erreurs par type | {r['errors'] or 'aucune'} |",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--turns", type=int, default=4, help="turns per conversation")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-seconds", type=float, default=3600)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--role", choices=["upstream", "gateway"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--upstream", default="", help=argparse.SUPPRESS)
    parser.add_argument("--tmp", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        _serve(args.role, args.port, args.upstream, args.tmp)
        return
    report = run_campaign(args.requests, args.concurrency, args.turns, args.seed, args.max_seconds)
    print(_markdown(report))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    leaked = sum(report["upstream_leaks"].values()) + sum(report["log_leaks"].values())
    sys.exit(1 if leaked + sum(report["db_leaks"].values()) else 0)


if __name__ == "__main__":
    main()
