"""One batch run: read Parquet or JSONL, detect or protect in ``mapInPandas``, write the result.

Only the id column and the results are written. Other input columns are never copied (they may
hold identifiers too): join the output back on the id where they are needed. In ``protect`` mode
the original text is never written: rows that could not be protected have a null text and a
French ``error``.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from avec.batch.session import quiet_pyspark
from avec.batch.worker import CORRUPT_COLUMN, MODES, WorkerConfig, process_frames

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import DataType, StructType

FORMATS = ("parquet", "jsonl")
_RESERVED = ("spans", "error", "mapping", CORRUPT_COLUMN)


class BatchError(Exception):
    """The run cannot start or finish; the French message quotes no document text."""


@dataclass(frozen=True)
class BatchOptions:
    """What to read, what to do and where to write.

    Attributes:
        source: input file or folder (local path or a URL Spark understands: hdfs://, s3a://...).
        target: output folder (Spark writes one ``part-*`` file per partition).
        in_format: ``parquet`` or ``jsonl``.
        out_format: ``parquet`` or ``jsonl``.
        mode: ``detect`` (spans) or ``protect`` (pseudonymized text).
        text_column: input column with the text.
        id_column: input column with the document id (copied to the output).
        partitions: repartition the input into this many parts; when None, inputs with fewer
            partitions than the session's parallelism are spread over all workers.
        overwrite: replace ``target`` if it exists (refused otherwise).
        surrogate_mode: ``surrogate`` or ``tag`` (protect mode).
        seed: reproducible surrogates (protect mode); random when None.
        max_chars: longer texts are refused, row by row.
    """

    source: str
    target: str
    in_format: str = "parquet"
    out_format: str = "parquet"
    mode: str = "detect"
    text_column: str = "text"
    id_column: str = "id"
    partitions: int | None = None
    overwrite: bool = False
    surrogate_mode: str = "surrogate"
    seed: int | None = None
    max_chars: int = 5_000_000

    def check(self) -> None:
        """Raise :class:`BatchError` on inconsistent options."""
        if self.mode not in MODES:
            raise BatchError(f"mode inconnu : {self.mode} (attendu : detect ou protect)")
        if self.in_format not in FORMATS or self.out_format not in FORMATS:
            raise BatchError("format inconnu : choisissez parquet ou jsonl")
        if self.surrogate_mode not in ("surrogate", "tag"):
            raise BatchError("remplacement inconnu : surrogate ou tag")
        if self.text_column == self.id_column:
            raise BatchError("les colonnes du texte et de l'identifiant doivent être différentes")
        if {self.text_column, self.id_column} & set(_RESERVED):
            raise BatchError(f"noms de colonnes réservés : {', '.join(_RESERVED)}")
        if self.partitions is not None and self.partitions < 1:
            raise BatchError("le nombre de partitions doit être au moins 1")


@dataclass(frozen=True)
class BatchReport:
    """Counts of a finished run (no document content).

    Attributes:
        documents: rows written.
        errors: rows with a non-null ``error`` (no result written for them).
        identifiers: spans written (detected, or replaced in protect mode).
        partitions: partitions processed in parallel.
        seconds: wall time of the read-process-write step.
    """

    documents: int
    errors: int
    identifiers: int
    partitions: int
    seconds: float

    @property
    def docs_per_second(self) -> float:
        """Throughput of the run."""
        return self.documents / self.seconds if self.seconds > 0 else 0.0


def _is_local(path: str) -> bool:
    return "://" not in path


def _read(spark: SparkSession, options: BatchOptions) -> DataFrame:
    if _is_local(options.source) and not Path(options.source).exists():
        raise BatchError("entrée introuvable : vérifiez le chemin")
    if options.in_format == "parquet":
        df = spark.read.parquet(options.source)
        names = set(df.columns)
        if options.id_column not in names or options.text_column not in names:
            raise BatchError(
                f"colonnes attendues absentes : « {options.id_column} » et « {options.text_column} »"
            )
        if df.schema[options.text_column].dataType.typeName() != "string":
            raise BatchError(f"la colonne « {options.text_column} » doit contenir du texte")
        return df.select(options.id_column, options.text_column)
    # A fixed schema: ids are read as strings whatever their JSON type, unknown keys are dropped,
    # and malformed lines land in the corrupt-record column (never in an error message or a log).
    schema = f"`{options.id_column}` STRING, `{options.text_column}` STRING, `{CORRUPT_COLUMN}` STRING"
    return (
        spark.read.schema(schema)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT_COLUMN)
        .json(options.source)
    )


def output_schema(id_type: DataType, config: WorkerConfig) -> StructType:
    """Spark schema of the rows produced by :func:`~avec.batch.worker.process_frames`."""
    from pyspark.sql.types import ArrayType, IntegerType, StringType, StructField, StructType

    span = StructType(
        [
            StructField("start", IntegerType(), False),
            StructField("end", IntegerType(), False),
            StructField("label", StringType(), False),
        ]
    )
    fields = [StructField(config.id_column, id_type, True)]
    if config.mode == "protect":
        fields.append(StructField(config.text_column, StringType(), True))
    fields += [StructField("spans", ArrayType(span, False), True), StructField("error", StringType(), True)]
    if config.key is not None:
        fields.append(StructField("mapping", StringType(), True))
    return StructType(fields)


def transform(df: DataFrame, config: WorkerConfig) -> DataFrame:
    """Apply detection or protection to a DataFrame with the id and text columns."""
    schema = output_schema(df.schema[config.id_column].dataType, config)
    with quiet_pyspark():
        return df.mapInPandas(functools.partial(process_frames, config=config), schema)


def run(spark: SparkSession, options: BatchOptions, key: bytes | None = None) -> BatchReport:
    """Read, process and write; then count what was written.

    Args:
        spark: the session (see :func:`~avec.batch.session.start_session`).
        options: the run.
        key: in protect mode, a Fernet key: each document's sealed mapping is then written to a
            ``mapping`` column, so that authorised people holding the key can reveal it later.

    Raises:
        BatchError: bad options, missing input or columns, existing output, or a failed job.
    """
    options.check()
    if _is_local(options.target) and Path(options.target).exists() and not options.overwrite:
        raise BatchError("la sortie existe déjà : choisissez un autre dossier ou ajoutez --overwrite")
    config = WorkerConfig(
        mode=options.mode,
        id_column=options.id_column,
        text_column=options.text_column,
        max_chars=options.max_chars,
        surrogate_mode=options.surrogate_mode,
        seed=options.seed,
        key=key if options.mode == "protect" else None,
    )
    started = time.perf_counter()
    try:
        df = _read(spark, options)
        wanted = options.partitions or spark.sparkContext.defaultParallelism
        if options.partitions is not None or df.rdd.getNumPartitions() < wanted:
            df = df.repartition(wanted)
        parts = df.rdd.getNumPartitions()
        writer = transform(df, config).write.mode("overwrite" if options.overwrite else "errorifexists")
        if options.out_format == "parquet":
            writer.parquet(options.target)
        else:
            writer.option("ignoreNullFields", "false").json(options.target)
        seconds = time.perf_counter() - started
        return _count(spark, options, config, parts, seconds)
    except BatchError:
        raise
    except Exception as exc:  # Spark messages may quote rows or paths of the data: never relay them
        raise BatchError(f"le traitement Spark a échoué ({type(exc).__name__})") from None


def _count(
    spark: SparkSession, options: BatchOptions, config: WorkerConfig, parts: int, seconds: float
) -> BatchReport:
    """Count documents, errors and spans in the written output (a cheap second read)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    if options.out_format == "parquet":
        out = spark.read.parquet(options.target)
    else:
        id_type = StringType()
        out = spark.read.schema(output_schema(id_type, config)).json(options.target)
    row = out.agg(
        F.count(F.lit(1)).alias("documents"),
        F.count("error").alias("errors"),
        F.sum(F.when(F.col("spans").isNotNull(), F.size("spans")).otherwise(0)).alias("identifiers"),
    ).first()
    if row is None:
        raise BatchError("sortie illisible après écriture")
    documents, errors, identifiers = row["documents"], row["errors"], row["identifiers"] or 0
    return BatchReport(int(documents), int(errors), int(identifiers), parts, seconds)
