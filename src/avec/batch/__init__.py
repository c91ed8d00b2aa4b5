"""Batch de-identification of large document sets on Apache Spark (optional extra ``avec[batch]``).

``avec batch IN OUT`` reads Parquet or JSONL, runs AVEC's detector (or full pseudonymization,
one conversation per document) inside ``mapInPandas``, and writes Parquet or JSONL. Importing
this package does not import pyspark; :func:`start_session` does, and says what to install
when it is missing. See ``docs/batch.md`` for clusters.
"""

from avec.batch.job import BatchError, BatchOptions, BatchReport, output_schema, run, transform
from avec.batch.session import SparkUnavailableError, start_session
from avec.batch.worker import WorkerConfig, process_frames

__all__ = [
    "BatchError",
    "BatchOptions",
    "BatchReport",
    "SparkUnavailableError",
    "WorkerConfig",
    "output_schema",
    "process_frames",
    "run",
    "start_session",
    "transform",
]
