"""What runs inside Spark's Python workers: pandas batches in, detection or protection out.

This module imports neither pyspark nor anything heavy at import time, so the functions can be
tested without Spark. The detection pipeline comes from :func:`avec.protect.pipeline.default_pipeline`,
which is cached per process: with ``spark.python.worker.reuse`` (Spark's default, set explicitly by
:mod:`avec.batch.session`) each Python worker loads spaCy and the lexicons once, then keeps them for
every batch and every later task, never once per row.

Every document is handled on its own and fails closed: an empty, missing, malformed or too long
text, or any error inside protection, gives a row whose result columns are null and whose
``error`` column holds a French message without any text of the document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from avec.text import Span

if TYPE_CHECKING:
    from avec.config import Settings

#: Name of the column Spark fills with malformed JSON lines (read in PERMISSIVE mode).
CORRUPT_COLUMN = "_corrupt_record"
MODES = ("detect", "protect")


class Detector(Protocol):
    """Anything with ``detect(text) -> list[Span]`` (the default pipeline, or a test double)."""

    def detect(self, text: str) -> list[Span]:
        """Sorted, non-overlapping spans of ``text``."""
        ...


@dataclass(frozen=True)
class WorkerConfig:
    """Settings shipped with each task (small and picklable).

    Attributes:
        mode: ``detect`` (spans) or ``protect`` (pseudonymized text).
        id_column: input and output column holding the document id.
        text_column: input column holding the text; the protected text keeps its name.
        max_chars: longer texts are refused (row error), as :func:`avec.protect` does.
        surrogate_mode: ``surrogate`` (realistic values) or ``tag`` (``[NOM_1]``).
        seed: when set, each document's surrogates are drawn from a seed derived from it and the
            document id (reproducible runs); random otherwise.
        key: when set, each document's sealed mapping (Fernet) is written to ``mapping``.
    """

    mode: str = "detect"
    id_column: str = "id"
    text_column: str = "text"
    max_chars: int = 5_000_000
    surrogate_mode: str = "surrogate"
    seed: int | None = None
    key: bytes | None = None


def document_seed(seed: int | None, doc_id: object) -> int | None:
    """A per-document seed derived from the run seed and the id (None keeps draws random)."""
    if seed is None:
        return None
    digest = hashlib.blake2b(f"{seed}\x00{doc_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _spans(spans: Iterable[Span]) -> list[dict[str, Any]]:
    return [{"start": s.start, "end": s.end, "label": s.label} for s in spans]


def _check_text(text: object, corrupt: object, max_chars: int) -> str:
    """The text of a row, or ``ValueError`` with a French reason that quotes nothing."""
    if isinstance(corrupt, str):
        raise ValueError("ligne mal formée (JSON invalide) : document ignoré")
    if not isinstance(text, str):
        raise ValueError("texte absent : document ignoré")
    if len(text) > max_chars:
        raise ValueError(f"texte trop long ({len(text)} caractères, maximum {max_chars})")
    return text


def _failure(exc: Exception) -> str:
    """A French message for a failed document; AVEC's own errors are already text-free."""
    from avec.protect.api import InputError
    from avec.protect.pipeline import ProtectionError
    from avec.protect.vault import VaultError

    if isinstance(exc, InputError | ProtectionError | VaultError) or type(exc) is ValueError:
        return str(exc)
    return f"échec inattendu ({type(exc).__name__}) : document ignoré"


def detect_row(pipe: Detector, text: object, corrupt: object, config: WorkerConfig) -> dict[str, Any]:
    """Detection result of one document: ``{"spans", "error"}``."""
    try:
        return {"spans": _spans(pipe.detect(_check_text(text, corrupt, config.max_chars))), "error": None}
    except Exception as exc:  # one bad document must not stop the run; nothing of it is kept
        return {"spans": None, "error": _failure(exc)}


def protect_row(
    pipe: Detector,
    doc_id: object,
    text: object,
    corrupt: object,
    config: WorkerConfig,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Protection result of one document: ``{"text", "spans", "error"[, "mapping"]}``.

    Each document gets its own conversation, so surrogates never link two documents. ``spans``
    are offsets into the *protected* text, so that no position of the original is written.
    ``settings`` (built from ``config`` when None) is shared by the rows of a partition.
    """
    from avec.protect.api import Conversation, protect

    row: dict[str, Any] = {"text": None, "spans": None, "error": None}
    if config.key is not None:
        row["mapping"] = None
    try:
        checked = _check_text(text, corrupt, config.max_chars)
        settings = settings or worker_settings(config)
        conv = Conversation.new(settings, seed=document_seed(config.seed, doc_id))
        result = protect(checked, conv, mode=config.surrogate_mode, pipeline=pipe, settings=settings)  # type: ignore[arg-type]
        mapping = conv.to_blob(config.key).decode("ascii") if config.key is not None else None
    except Exception as exc:  # fail closed: no text at all for this document
        row["error"] = _failure(exc)
        return row
    row["text"] = result.text
    row["spans"] = [{"start": r.out_start, "end": r.out_end, "label": r.label} for r in result.replacements]
    if config.key is not None:
        row["mapping"] = mapping
    return row


def worker_settings(config: WorkerConfig) -> Settings:
    """AVEC settings for protection on a worker: the driver's limits, not the executor's environment."""
    from avec.config import Settings

    return Settings(max_input_chars=config.max_chars, surrogate_mode=config.surrogate_mode)


def process_frames(
    frames: Iterable[pd.DataFrame],
    config: WorkerConfig,
    loader: Callable[[], Detector] | None = None,
) -> Iterator[pd.DataFrame]:
    """The ``mapInPandas`` function: one output frame per input batch.

    Args:
        frames: Arrow batches of one partition, as pandas frames.
        config: what to do and with which columns.
        loader: returns the detector; :func:`default_pipeline` (cached per process) when None.
            It is called once per partition, before the first batch, never per row.
    """
    if loader is None:
        from avec.protect.pipeline import default_pipeline

        loader = default_pipeline
    pipe = loader()
    settings = worker_settings(config) if config.mode == "protect" else None  # once, not per row
    for frame in frames:
        ids = frame[config.id_column].tolist()
        texts = frame[config.text_column].tolist()
        corrupt = frame[CORRUPT_COLUMN].tolist() if CORRUPT_COLUMN in frame.columns else [None] * len(ids)
        if config.mode == "protect":
            rows = [
                protect_row(pipe, i, t, c, config, settings)
                for i, t, c in zip(ids, texts, corrupt, strict=True)
            ]
        else:
            rows = [detect_row(pipe, t, c, config) for t, c in zip(texts, corrupt, strict=True)]
        out: dict[str, list[Any]] = {config.id_column: ids}
        for name, key in _result_columns(config):
            out[name] = [r[key] for r in rows]
        # object dtype keeps None as None for Arrow (pandas 3 would otherwise infer NaN strings)
        yield pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in out.items()})


def _result_columns(config: WorkerConfig) -> list[tuple[str, str]]:
    """``(output column, row key)`` after the id, in schema order."""
    if config.mode == "detect":
        return [("spans", "spans"), ("error", "error")]
    cols = [(config.text_column, "text"), ("spans", "spans"), ("error", "error")]
    return [*cols, ("mapping", "mapping")] if config.key is not None else cols


def loading_probe(frames: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """A ``mapInPandas`` diagnostic: this worker's pid and how often it built the pipeline.

    ``loads`` counts builds of :func:`default_pipeline` in the process (1 once loaded, never more),
    ``reuses`` counts later calls served from the cache. Output schema: ``pid long, loads long,
    reuses long``.
    """
    import os

    from avec.protect.pipeline import default_pipeline

    for _ in frames:
        pass
    info = default_pipeline.cache_info()
    yield pd.DataFrame({"pid": [os.getpid()], "loads": [info.misses], "reuses": [info.hits]})
