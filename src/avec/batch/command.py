"""The body of ``avec batch``: options from the command line, session lifecycle, French summary.

Kept apart from ``avec/cli.py`` so that the command there stays a thin shell and this logic is
testable without a terminal. Also the entry point for ``spark-submit`` (see ``__main__.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

from avec.batch.job import FORMATS, BatchError, BatchOptions, BatchReport, run
from avec.batch.session import start_session


def guess_format(path: str) -> str:
    """``jsonl`` for ``*.jsonl`` / ``*.json`` / ``*.ndjson`` paths, ``parquet`` otherwise."""
    suffix = PurePosixPath(path.rstrip("/")).suffix.lower()
    return "jsonl" if suffix in (".jsonl", ".json", ".ndjson") else "parquet"


def resolve_formats(source: str, fmt: str | None, out_fmt: str | None) -> tuple[str, str]:
    """Input and output formats: ``--format`` for both, ``--out-format`` for the output only.

    Raises:
        BatchError: an unknown format name.
    """
    in_format = fmt or guess_format(source)
    out_format = out_fmt or in_format
    if in_format not in FORMATS or out_format not in FORMATS:
        raise BatchError("format inconnu : choisissez parquet ou jsonl")
    return in_format, out_format


def execute(
    options: BatchOptions,
    *,
    workers: int = 1,
    master: str | None = None,
    keep_mapping: bool = False,
    conf: Mapping[str, str] | None = None,
) -> BatchReport:
    """Run one batch in a session started for it (stopped afterwards) or in the active one.

    Raises:
        BatchError: the run failed (French message, no document text).
        SparkUnavailableError: pyspark or Java is missing.
        VaultError: ``keep_mapping`` and the vault key is invalid.
    """
    options.check()
    key: bytes | None = None
    if keep_mapping:
        if options.mode != "protect":
            raise BatchError("--keep-mapping n'a de sens qu'en mode protect")
        from avec.config import get_settings
        from avec.protect.vault import load_key

        key = load_key(get_settings())
    spark, owned = start_session(workers, master, conf)
    try:
        return run(spark, options, key)
    finally:
        if owned:
            spark.stop()


def summary_fr(report: BatchReport, options: BatchOptions) -> list[str]:
    """Lines printed at the end of ``avec batch`` (counts only)."""
    what = "identifiant(s) remplacé(s)" if options.mode == "protect" else "identifiant(s) détecté(s)"
    lines = [
        f"{report.documents} document(s) traité(s) en {report.seconds:.1f} s "
        f"({report.docs_per_second:.1f} doc/s, {report.partitions} partition(s)) : "
        f"{report.identifiers} {what}.",
        f"Sortie : {options.target} ({options.out_format}).",
    ]
    if report.errors:
        lines.append(
            f"Attention : {report.errors} document(s) en erreur (colonne « error ») ; "
            "aucun résultat n'a été écrit pour eux."
        )
    return lines
