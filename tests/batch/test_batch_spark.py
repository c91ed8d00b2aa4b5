"""Spark in local mode gives exactly what the in-process pipeline gives, on the whole set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from avec.batch import BatchError, BatchOptions, run
from avec.batch.synth import NoteGenerator
from avec.batch.worker import document_seed, loading_probe
from avec.cli import app
from avec.protect.api import Conversation, protect, reveal
from avec.protect.pipeline import default_pipeline

pytestmark = [
    pytest.mark.slow,
    # PySpark 4 warns that pandas 3 is "not yet fully supported"; every result here is compared.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

N_DOCS = 160
EDGE = [
    {"id": "vide", "text": ""},
    {"id": "blanc", "text": "   \n"},
    {"id": "balise", "text": "Voir [NOM_1] et [nom_2 ] : M. Jean DUPONT."},
    {"id": "unicode", "text": "Mme Zoé L'HAŸ-LES-ROSES\u00a0née le 01/02/1960 \U0001f600 \x00 fin"},
]


@pytest.fixture(scope="module")
def documents() -> list[dict[str, str]]:
    return NoteGenerator(seed=11).documents(N_DOCS) + EDGE


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, documents: list[dict[str, str]]) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("corpus")
    parquet = folder / "notes.parquet"
    pd.DataFrame(documents).to_parquet(parquet)
    jsonl = folder / "notes.jsonl"
    lines = [json.dumps(d, ensure_ascii=False) for d in documents]
    jsonl.write_text(
        "\n".join([*lines, '{"id": "casse", "text": "Gwendoline KERMARREC', ""]), encoding="utf-8"
    )
    return {"parquet": parquet, "jsonl": jsonl}


def read_output(path: Path, fmt: str) -> list[dict[str, Any]]:
    if fmt == "parquet":
        return pq.read_table(path).to_pylist()  # type: ignore[no-any-return]
    return [
        json.loads(line) for f in sorted(path.glob("part-*")) for line in f.read_text("utf-8").splitlines()
    ]


def as_tuples(spans: Any) -> list[tuple[int, int, str]]:
    return [(int(s["start"]), int(s["end"]), str(s["label"])) for s in spans]


def test_detect_parquet_equals_in_process(
    spark: Any, corpus: dict[str, Path], tmp_path: Path, documents: list[dict[str, str]]
) -> None:
    out = tmp_path / "spans"
    report = run(spark, BatchOptions(str(corpus["parquet"]), str(out), "parquet", "parquet"))
    assert report.documents == len(documents) and report.errors == 0 and report.partitions == 2
    pipe = default_pipeline()
    expected = {d["id"]: [(s.start, s.end, s.label) for s in pipe.detect(d["text"])] for d in documents}
    got = {r["id"]: as_tuples(r["spans"]) for r in read_output(out, "parquet")}
    assert got == expected
    assert report.identifiers == sum(len(v) for v in expected.values())


def test_pipeline_loaded_once_per_python_worker(spark: Any, corpus: dict[str, Path], tmp_path: Path) -> None:
    # One more detection run over 8 partitions, then a probe in every partition.
    run(spark, BatchOptions(str(corpus["parquet"]), str(tmp_path / "o"), partitions=8))
    probe = spark.range(0, 64, 1, 8).mapInPandas(loading_probe, "pid long, loads long, reuses long")
    stats = probe.collect()
    assert all(row["loads"] <= 1 for row in stats)
    assert max(row["reuses"] for row in stats) >= 3  # one process served many partitions
    assert len({row["pid"] for row in stats}) <= 2  # local[2]: two reused Python workers


def test_protect_jsonl_equals_in_process_and_writes_no_original(
    spark: Any, corpus: dict[str, Path], tmp_path: Path, documents: list[dict[str, str]]
) -> None:
    out = tmp_path / "protected"
    options = BatchOptions(str(corpus["jsonl"]), str(out), "jsonl", "jsonl", mode="protect",
                           surrogate_mode="tag", seed=42)  # fmt: skip
    report = run(spark, options)
    rows = read_output(out, "jsonl")
    errors = {r["id"]: r["error"] for r in rows if r["error"]}
    assert errors == {
        "vide": "le texte est vide : rien à protéger",
        "blanc": "le texte est vide : rien à protéger",
        None: "ligne mal formée (JSON invalide) : document ignoré",
    }
    assert report.errors == 3 and report.documents == len(documents) + 1
    expected = {}
    for d in documents:
        if d["text"].strip():
            conv = Conversation.new(seed=document_seed(42, d["id"]))
            res = protect(d["text"], conv, mode="tag")
            expected[d["id"]] = (res.text, [(r.out_start, r.out_end, r.label) for r in res.replacements])
    got = {r["id"]: (r["text"], as_tuples(r["spans"])) for r in rows if not r["error"]}
    assert got == expected
    # No detected identifier is left in its document's protected text (unless the same string
    # also stands outside every span of the original), and the malformed line is not written.
    pipe = default_pipeline()
    leaks = []
    for d in documents:
        spans = pipe.detect(d["text"])
        residual = list(d["text"])
        for s in spans:
            residual[s.start : s.end] = ["\x00"] * (s.end - s.start)
        for s in spans:
            value = s.text_in(d["text"])
            if d["id"] in got and value in got[d["id"]][0] and value not in "".join(residual):
                leaks.append(d["id"])
    assert leaks == []
    written = "".join(f.read_text("utf-8") for f in out.glob("part-*"))
    assert "KERMARREC" not in written


def test_protect_keeps_sealed_mapping(
    spark: Any, corpus: dict[str, Path], tmp_path: Path, documents: list[dict[str, str]]
) -> None:
    key = Fernet.generate_key()
    out = tmp_path / "with_map"
    run(spark, BatchOptions(str(corpus["parquet"]), str(out), "parquet", "parquet", mode="protect"), key=key)
    texts = {d["id"]: d["text"] for d in documents}
    rows = [r for r in read_output(out, "parquet") if r["error"] is None]
    assert len(rows) == len(documents) - 2
    for r in rows:
        assert reveal(r["text"], Conversation.from_blob(r["mapping"].encode(), key)) == texts[r["id"]]


def test_refusals(spark: Any, corpus: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(BatchError, match="introuvable"):
        run(spark, BatchOptions(str(tmp_path / "absent"), str(tmp_path / "o")))
    with pytest.raises(BatchError, match="colonnes attendues"):
        run(spark, BatchOptions(str(corpus["parquet"]), str(tmp_path / "o"), text_column="corps"))
    existing = tmp_path / "existing"
    existing.mkdir()
    with pytest.raises(BatchError, match="existe déjà"):
        run(spark, BatchOptions(str(corpus["parquet"]), str(existing)))


def test_cli_batch(spark: Any, corpus: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cli_out"
    args = ["batch", str(corpus["jsonl"]), str(out), "--out-format", "parquet", "--mode", "protect",
            "--tags", "--workers", "2"]  # fmt: skip
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "document(s) traité(s)" in res.output and "3 document(s) en erreur" in res.output
    assert "KERMARREC" not in res.output
    assert len(read_output(out, "parquet")) == N_DOCS + len(EDGE) + 1
    bad = CliRunner().invoke(app, ["batch", str(corpus["jsonl"]), str(tmp_path / "x"), "--format", "csv"])
    assert bad.exit_code == 2 and "format inconnu" in bad.output
