"""The pandas side of the batch job, without Spark: loading once, fail-closed rows, options."""

from __future__ import annotations

import pandas as pd
import pytest
from cryptography.fernet import Fernet

from avec.batch.command import guess_format, resolve_formats, summary_fr
from avec.batch.job import BatchError, BatchOptions, BatchReport
from avec.batch.session import local_conf, start_session
from avec.batch.worker import CORRUPT_COLUMN, WorkerConfig, document_seed, process_frames
from avec.protect.api import Conversation, reveal
from avec.protect.pipeline import ProtectionError
from avec.text import Span

SECRET = "Gwendoline KERMARREC"


class NameDetector:
    """Finds the two words of :data:`SECRET` (a stand-in for the real pipeline)."""

    def detect(self, text: str) -> list[Span]:
        spans = []
        for word, label in (("Gwendoline", "PRENOM"), ("KERMARREC", "NOM")):
            at = text.find(word)
            if at >= 0:
                spans.append(Span(at, at + len(word), label))
        return sorted(spans, key=lambda s: s.start)


class Broken:
    def detect(self, text: str) -> list[Span]:
        raise RuntimeError(text)  # a careless detector that would leak the text


def frames(rows: list[tuple[object, object]], size: int = 2) -> list[pd.DataFrame]:
    df = pd.DataFrame({"id": pd.Series([r[0] for r in rows], dtype=object), "text": [r[1] for r in rows]})
    return [df.iloc[i : i + size] for i in range(0, len(df), size)]


def test_detector_is_loaded_once_per_partition_not_per_row() -> None:
    loads = []

    def loader() -> NameDetector:
        loads.append(1)
        return NameDetector()

    rows = [(f"d{i}", f"Mme {SECRET}, note {i}.") for i in range(7)]
    out = pd.concat(list(process_frames(frames(rows), WorkerConfig(), loader)))
    assert len(loads) == 1
    assert out["id"].tolist() == [r[0] for r in rows]
    assert out["spans"].tolist()[0] == [
        {"start": 4, "end": 14, "label": "PRENOM"},
        {"start": 15, "end": 24, "label": "NOM"},
    ]
    assert out["error"].isna().all()


def test_bad_rows_fail_closed_without_echoing_text() -> None:
    long_text = f"{SECRET} " * 20
    rows = [("a", None), ("b", long_text), ("c", SECRET)]
    batch = frames(rows, size=3)[0].assign(**{CORRUPT_COLUMN: [None, None, None]})
    batch.loc[batch.index[2], CORRUPT_COLUMN] = f'{{"text": "{SECRET}"'
    for mode in ("detect", "protect"):
        config = WorkerConfig(mode=mode, max_chars=50)
        out = next(process_frames([batch], config, NameDetector))
        assert out["error"].notna().all()
        assert out["spans"].isna().all()
        assert "trop long" in out["error"][1] and "mal formée" in out["error"][2]
        assert not any("KERMARREC" in str(v) for v in out.to_numpy().ravel())


def test_a_failing_detector_gives_a_row_error_not_the_text() -> None:
    for mode in ("detect", "protect"):
        out = next(process_frames(frames([("x", SECRET)]), WorkerConfig(mode=mode), Broken))
        assert out["error"][0].startswith("la détection a échoué") or "RuntimeError" in out["error"][0]
        assert "KERMARREC" not in str(out.to_dict())


def test_protect_rows_and_sealed_mapping() -> None:
    key = Fernet.generate_key()
    text = f"Patiente : {SECRET}, vue ce jour."
    config = WorkerConfig(mode="protect", surrogate_mode="tag", seed=5, key=key)
    out = next(process_frames(frames([("p1", text)]), config, NameDetector))
    protected = out["text"][0]
    assert protected == "Patiente : [PRENOM_1] [NOM_1], vue ce jour."
    assert [protected[s["start"] : s["end"]] for s in out["spans"][0]] == ["[PRENOM_1]", "[NOM_1]"]
    conv = Conversation.from_blob(out["mapping"][0].encode(), key)
    assert reveal(protected, conv) == text
    assert "KERMARREC" not in out["mapping"][0]


def test_document_seed() -> None:
    assert document_seed(None, "a") is None
    assert document_seed(1, "a") == document_seed(1, "a") != document_seed(1, "b")


def test_formats_and_options() -> None:
    assert guess_format("corpus.JSONL") == "jsonl" and guess_format("hdfs://x/notes/") == "parquet"
    assert resolve_formats("a.jsonl", None, "parquet") == ("jsonl", "parquet")
    with pytest.raises(BatchError):
        resolve_formats("a.jsonl", "csv", None)
    bad = [
        BatchOptions("a", "b", mode="anonymise"),
        BatchOptions("a", "b", text_column="id"),
        BatchOptions("a", "b", id_column="error"),
        BatchOptions("a", "b", partitions=0),
        BatchOptions("a", "b", surrogate_mode="x"),
    ]
    for options in bad:
        with pytest.raises(BatchError):
            options.check()
    with pytest.raises(ValueError):
        start_session(0)
    assert local_conf(2)["spark.master"] == "local[2]"


def test_summary_is_french_and_counts_only() -> None:
    lines = summary_fr(BatchReport(10, 2, 31, 2, 4.0), BatchOptions("in", "out", mode="protect"))
    assert "10 document(s)" in lines[0] and "2.5 doc/s" in lines[0] and "remplacé" in lines[0]
    assert "2 document(s) en erreur" in lines[-1]


def test_protection_error_message_is_kept() -> None:
    class Refusing:
        def detect(self, text: str) -> list[Span]:
            raise ProtectionError("la détection « noms » a échoué (MemoryError)")

    out = next(process_frames(frames([("x", SECRET)]), WorkerConfig(), Refusing))
    assert out["error"][0] == "la détection « noms » a échoué (MemoryError)"


def test_spark_submit_entry_point_runs_the_batch_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from avec.batch.__main__ import main

    monkeypatch.setattr("sys.argv", ["__main__.py", "in.jsonl", "out", "--format", "csv"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
