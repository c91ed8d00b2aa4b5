"""Unit tests: configuration, keys, low-latency revealing, stream transformation."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from gwfixtures import LETTER_RULES, FakePipeline, config_data

from avec.gateway import ConfigError, hash_key, load_config, new_key, parse_config, revealing
from avec.gateway.auth import KeyRing
from avec.gateway.chat import AfterSend
from avec.gateway.config import Action, KeyEntry
from avec.gateway.errors import GatewayError
from avec.gateway.policy import BlockedCategoryError, PolicyDetector, resolve_policy
from avec.gateway.revealing import LowLatencyRevealer, prepare_reveal, reveal_json_text
from avec.gateway.streaming import StreamTransformer
from avec.protect.api import Conversation, protect
from avec.protect.reveal import Matcher, reveal_text
from avec.protect.surrogates import State
from avec.protect.vault import Vault

LETTER = (
    "Marie DUPONT, née le 12/03/1954, tel 06 12 34 56 78, suivie au CHU de Nantes par Paul Durand "
    "(paul.durand@chu.fr). Jean-Pierre Le Goff."
)


def _conversation() -> tuple[Conversation, str]:
    conv = Conversation.new(seed=3)
    return conv, protect(LETTER, conv, pipeline=FakePipeline(LETTER_RULES)).text  # type: ignore[arg-type]


def test_config_example_loads_from_yaml_and_json(tmp_path: Path) -> None:
    import yaml

    data = config_data("http://127.0.0.1:9")
    (tmp_path / "gw.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / "gw.json").write_text(json.dumps(data), encoding="utf-8")
    a, b = load_config(tmp_path / "gw.yaml"), load_config(tmp_path / "gw.json")
    assert a == b
    system, model = a.find_model("hds/hds-model") or (None, None)
    assert system is not None and model is not None and model.upstream_name == "mistral-small-latest"
    assert system.policy.action("VILLE") is Action.ALLOW and system.policy.action("NOM") is Action.REDACT


def test_allow_refused_on_system_not_approved_for_health_data() -> None:
    data = config_data("http://x")
    data["systems"][0]["policy"] = {"NOM": "allow"}
    with pytest.raises(ConfigError, match="pas homologué"):
        parse_config(data)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["systems"].append(dict(d["systems"][0])),
        lambda d: d["keys"].append({"id": "x", "sha256": "123"}),
        lambda d: d["keys"].append({"id": "y", "sha256": "a" * 64, "team": "inconnue"}),
        lambda d: d["systems"][0].update(base_url="ftp://x"),
    ],
)
def test_invalid_configurations(change: object) -> None:
    data = config_data("http://x")
    change(data)  # type: ignore[operator]
    with pytest.raises(ConfigError):
        parse_config(data)


def test_team_policy_is_only_ever_stricter() -> None:
    data = config_data("http://x")
    data["teams"]["loose"] = {"policy": {"default": "allow"}}
    cfg = parse_config(data)
    from avec.gateway.auth import Principal

    cloud, hds = cfg.systems[0], cfg.systems[1]
    assert resolve_policy(cfg, cloud, Principal("a", "loose")).action("NOM") is Action.REDACT
    assert resolve_policy(cfg, hds, Principal("a", "loose")).action("VILLE") is Action.ALLOW
    assert resolve_policy(cfg, cloud, Principal("a", "strict")).action("SECU") is Action.BLOCK


def test_keys_hashed_and_checked() -> None:
    key, digest = new_key()
    assert key.startswith("avec-") and digest == hash_key(key) and key not in digest
    ring = KeyRing([KeyEntry(id="k1", sha256=digest, team=None)])
    assert ring.authenticate(f"Bearer {key}").id == "k1"
    for bad in (None, "Basic abc", f"Bearer {key}x"):
        with pytest.raises(GatewayError):
            ring.authenticate(bad)
    assert KeyRing([], allow_anonymous=True).authenticate(None).id == "anonyme"


def test_policy_detector_counts_and_blocks() -> None:
    cfg = parse_config(config_data("http://x"))
    from avec.gateway.auth import Principal

    hds = cfg.systems[1]
    det = PolicyDetector(
        FakePipeline([("VILLE", r"\bNantes\b"), *LETTER_RULES]), resolve_policy(cfg, hds, Principal("a"))
    )
    spans = det.detect(LETTER)
    assert "VILLE" not in {s.label for s in spans} and det.allowed == Counter({"VILLE": 1})
    strict = PolicyDetector(
        FakePipeline([("SECU", r"06 12")]), resolve_policy(cfg, cfg.systems[0], Principal("a", "strict"))
    )
    with pytest.raises(BlockedCategoryError) as err:
        strict.detect(LETTER)
    assert err.value.labels == Counter({"SECU": 1})


def _streamed(conv: Conversation, answer: str, rng: random.Random, longest: int) -> list[str]:
    """What the revealer releases for ``answer`` cut in random chunks, then its final flush."""
    rev, out, i = LowLatencyRevealer(conv), [], 0
    while i < len(answer):
        n = rng.randint(1, longest)
        out.append(rev.feed(answer[i : i + n]))
        i += n
    out.append(rev.flush())
    return out


def _conversation_of(table: list[tuple[str, str, str]]) -> Conversation:
    """A conversation whose vault holds ``(surrogate, original, label)`` rows."""
    vault = Vault(3600)
    for surrogate, original, label in table:
        vault.add(surrogate, original, label)
    return Conversation(vault, State.new(0))


def _assert_streamed_like_whole(conv: Conversation, answer: str, rng: random.Random, longest: int) -> None:
    """Streamed in random chunks, ``answer`` comes out as revealed whole, and what went out
    before the end is final text (a prefix of the revealed answer)."""
    want = reveal_text(answer, Matcher(conv.vault))
    out = _streamed(conv, answer, rng, longest)
    assert "".join(out) == want
    released = ""
    for piece in out[:-1]:
        released += piece
        assert want.startswith(released)


@pytest.mark.parametrize("seed", range(20))
def test_low_latency_revealer_equals_whole_reveal(seed: int) -> None:
    conv, protected = _conversation()
    answer = f"Voici : {protected}\n{protected.upper()} — {protected.lower()} fin"
    want = reveal_text(answer, Matcher(conv.vault))
    out = _streamed(conv, answer, random.Random(seed), 9)
    assert "".join(out) == want
    for piece in out:  # each piece is final text: never a surrogate sent early
        assert piece in want


GLUED = [
    ("Martin", "Dupont", "NOM"),
    ("Jean-Pierre", "Maëlys", "PRENOM"),
    ("+33 6 12 34 56 78", "06 98 76 54 32", "TEL"),
    ("[NOM_1]", "Kerhervé", "NOM"),
    ("Saint-Malo", "Quimper", "VILLE"),
    ("henri.martin@voila.fr", "m.dupont@free.fr", "MAIL"),
    ("12/03/1954", "01/02/1960", "DATE_NAISSANCE"),
    ("_ref", "_clé", "NOM"),
]


@pytest.mark.parametrize("seed", range(40))
def test_low_latency_revealer_equals_whole_reveal_with_surrogates_glued_to_words(seed: int) -> None:
    # Places inside a word are never held (no surrogate can start there): surrogates glued
    # after letters, digits or "_" stay as they are, also cut anywhere between chunks.
    conv = _conversation_of(GLUED)
    rng = random.Random(seed)
    surrogates = [e.surrogate for e in conv.vault]
    glue = ["x", "é", "_", "9", "l'", "-", " ", "(", "+", "", "\n"]
    parts = []
    for _ in range(12):
        s = rng.choice(surrogates)
        s = rng.choice([s, s.upper(), s.lower(), s[: max(1, len(s) // 2)]])
        parts.append(rng.choice(glue) + s + rng.choice(glue))
    _assert_streamed_like_whole(conv, "".join(parts), rng, 6)


def test_low_latency_revealer_releases_plain_text_at_once() -> None:
    conv, _ = _conversation()
    rev = LowLatencyRevealer(conv)
    assert rev.feed("Le traitement est bien toléré, ") == "Le traitement est bien toléré, "
    assert rev.held == 0


def test_prepared_reveal_leaves_nothing_to_compile_at_the_first_chunk() -> None:
    conv, protected = _conversation()
    conv.vault.derived = None  # as it arrives from the protection process
    prepare_reveal(conv, stream=True)
    prepared = conv.vault.derived
    assert prepared is not None and prepared[0] == conv.vault.version
    beginnings = revealing._BEGINNINGS[conv.vault]
    rev = LowLatencyRevealer(conv)
    assert conv.vault.derived is prepared  # the revealer found the matcher built
    assert revealing._BEGINNINGS[conv.vault] is beginnings  # and where surrogates may begin
    assert rev.feed(protected) + rev.flush() == LETTER
    conv.vault.add("Kerhervé", "Abgrall", "NOM")  # a new version: built again, not reused
    LowLatencyRevealer(conv)
    assert revealing._BEGINNINGS[conv.vault][0] == conv.vault.version != beginnings[0]


def test_a_failed_stream_preparation_is_logged_without_content(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        @property
        def vault(self) -> object:
            raise RuntimeError("Marie DUPONT")

    with caplog.at_level("WARNING", logger="avec.gateway"):
        prepare_reveal(Broken(), stream=True)  # type: ignore[arg-type]
    assert "(RuntimeError)" in caplog.text and "DUPONT" not in caplog.text


def test_json_arguments_revealed_with_escapes() -> None:
    conv, protected = _conversation()
    args = json.dumps({"texte": protected, "liste": [protected]}, ensure_ascii=True)
    assert json.loads(reveal_json_text(args, conv)) == {"texte": LETTER, "liste": [LETTER]}


def test_stream_transformer_buffers_tool_arguments() -> None:
    conv, protected = _conversation()
    args = json.dumps({"p": protected}, ensure_ascii=True)
    t = StreamTransformer(conv, "m", client_wants_usage=False)
    head = {"index": 0, "id": "c1", "type": "function", "function": {"name": "f", "arguments": ""}}
    out = t.process({"id": "x", "choices": [{"index": 0, "delta": {"tool_calls": [head]}}]})
    for i in range(0, len(args), 4):
        piece = {"index": 0, "function": {"arguments": args[i : i + 4]}}
        assert t.process({"id": "x", "choices": [{"index": 0, "delta": {"tool_calls": [piece]}}]}) == []
    out += t.process({"id": "x", "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})
    joined = "".join(
        tc["function"].get("arguments", "")
        for ch in out
        for c in ch["choices"]
        for tc in c["delta"].get("tool_calls", [])
    )
    assert json.loads(joined) == {"p": LETTER}
    assert t.process({"id": "x", "choices": [], "usage": {"completion_tokens": 3}}) == []
    assert t.usage == {"completion_tokens": 3}


def test_source_is_indexed_for_avec_checks_and_kept_as_text_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from avec.gateway import findings
    from avec.verify import SourceIndex, verify

    text = "Traitement : bisoprolol 5 mg le matin."
    assert isinstance(findings.prepare_source(verify, text), SourceIndex)
    assert findings.prepare_source(lambda a, s: [], text) == text  # a custom checker reads text
    assert findings.prepare_source(verify, "") == ""

    def broken(source: str) -> None:
        raise RuntimeError("index")

    monkeypatch.setattr(findings, "index_source", broken)
    assert findings.prepare_source(verify, text) == text  # never a failure of the request


def test_work_after_sending_runs_once_and_a_failing_job_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[str] = []

    def boom() -> None:
        raise RuntimeError("Mme Maëlys Quéméner")

    after = AfterSend()
    after.add(lambda: ran.append("a"))
    after.add(boom)
    after.add(lambda: ran.append("b"))
    after()
    after()  # the hook and the end of the call may both fire
    after.add(lambda: ran.append("c"))  # already started: at once
    after.abandon()  # too late: nothing to drop
    assert ran == ["a", "b", "c"]
    assert "RuntimeError" in caplog.text and "Quéméner" not in caplog.text
    unsent = AfterSend()
    unsent.add(lambda: ran.append("source"))
    unsent.add(lambda: ran.append("release"), always=True)
    unsent.abandon()  # the request failed before being written
    unsent()
    assert ran[3:] == ["release"]


REWRITTEN = [
    ("Le Riou", "Kerhervé", "NOM"),
    ("Anaïs", "Solène", "PRENOM"),
    ("06 01 73 51 75", "06 98 76 54 32", "TEL"),
    ("+33 2 25 67 66 74", "+33 2 98 00 11 22", "TEL"),
    ("256026742602039", "185057512301234", "SECU"),
    ("[NOM_2]", "Abgrall", "NOM"),
    ("Jean-Pierre", "Yannick", "PRENOM"),
    ("gilbert", "Gwenaël", "PRENOM"),
    ("gilbert.bonnin@voila.fr", "m.tanguy@free.fr", "MAIL"),
]


def _rewrite(surrogate: str, rng: random.Random) -> str:
    """The surrogate as a model may write it back: case, spacing, separators, a line break."""
    out = rng.choice([surrogate, surrogate.upper(), surrogate.lower()])
    if any(c.isdigit() for c in out) and "@" not in out and "[" not in out:
        digits = [c for c in out if c.isalnum()]
        seps = ["", " ", ".", "-", " - "]
        out = (
            (rng.choice(["", "+"]) if out.startswith("+") else "")
            + "".join(d + rng.choice(seps) for d in digits[:-1])
            + digits[-1]
        )
    elif "[" in out:
        out = out.replace("[", rng.choice(["[", "[ "])).replace("_", rng.choice(["_", " _ "]))
    else:
        out = out.replace(" ", rng.choice([" ", "  ", "\n"])).replace("-", rng.choice(["-", " - "]))
    return out


@pytest.mark.parametrize("seed", range(60))
def test_low_latency_revealer_equals_whole_reveal_for_rewritten_surrogates(seed: int) -> None:
    # Holding is decided on the text without separators: whatever spacing the tolerant needles
    # accept, a surrogate cut anywhere is held, and the stream equals the whole reveal.
    conv = _conversation_of(REWRITTEN)
    rng = random.Random(seed)
    words = ["Vu ce jour", ", ", "tél.", "(", "le ", "Dr ", "et ", "\n", "- ", "née "]
    parts = []
    for _ in range(10):
        s = rng.choice(REWRITTEN)[0]
        s = s if rng.random() < 0.7 else s[: rng.randint(1, len(s))]
        parts.append(rng.choice(words) + _rewrite(s, rng) + rng.choice(words))
    _assert_streamed_like_whole(conv, "".join(parts), rng, 5)


def test_low_latency_revealer_releases_a_surrogate_once_it_cannot_grow() -> None:
    rev = LowLatencyRevealer(
        _conversation_of([("Le Riou", "Kerhervé", "NOM"), ("06 01 73 51 75", "06 98 76 54 32", "TEL")])
    )
    assert rev.feed("Mme Le Riou") == "Mme "
    # A letter after the name: no surrogate is that long, the name goes out revealed at once.
    assert rev.feed(" a appelé") == "Kerhervé a appelé"
    assert rev.feed(" du 06 01 73") == " du "
    assert rev.feed(" 51 75 hier") == "06 98 76 54 32 hier"
    assert rev.held == 0
