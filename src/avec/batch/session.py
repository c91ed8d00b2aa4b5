"""Starting (or joining) the Spark session for batch de-identification.

Two cases:

* ``avec batch`` on one machine: a local Spark (``local[N]``, N Python workers) bound to the
  loopback interface, without the web UI, whose Python workers run the same interpreter as the
  caller (so they see AVEC and its models).
* Under ``spark-submit`` (a cluster, see ``docs/batch.md``), or when a session already exists:
  the session given by the launcher is used as is; its master and executors are the cluster's.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: PySpark 4 warns that pandas 3 is "not yet fully supported"; AVEC only passes plain object
#: columns through ``mapInPandas`` and its tests compare every result, so that warning is noise.
PANDAS_WARNING = "PySpark does not yet fully support pandas"


class SparkUnavailableError(RuntimeError):
    """pyspark or Java is missing; the message says what to install, in French."""


@contextmanager
def quiet_pyspark() -> Iterator[None]:
    """Silence, for the enclosed calls only, PySpark's pandas-version warning."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=PANDAS_WARNING, category=FutureWarning)
        yield


def _under_launcher() -> bool:
    """True under ``spark-submit`` or ``pyspark``, which hand a running JVM to Python."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def local_conf(workers: int) -> dict[str, str]:
    """Configuration of a single-machine session with ``workers`` Python workers."""
    return {
        "spark.master": f"local[{workers}]",
        "spark.app.name": "avec-batch",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # Stay on this machine: nothing listens on another interface.
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        # Workers must run this interpreter, where AVEC, spaCy and the lexicons are installed.
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
        # Keep Python workers (and the detector each one loaded) alive across tasks.
        "spark.python.worker.reuse": "true",
        "spark.sql.shuffle.partitions": str(max(2, 2 * workers)),
        "spark.sql.session.timeZone": "UTC",
    }


def start_session(
    workers: int = 1, master: str | None = None, conf: Mapping[str, str] | None = None
) -> tuple[SparkSession, bool]:
    """The session to run on, and whether this call created it (the caller then stops it).

    Args:
        workers: Python workers of a local session (ignored under a launcher or a cluster master).
        master: a Spark master URL (``local[4]``, ``spark://host:7077``, ``yarn``); a local one
            with ``workers`` when None.
        conf: extra Spark settings (``spark.executor.memory``...).

    Raises:
        SparkUnavailableError: pyspark is not installed, or Java cannot be started.
    """
    if workers < 1:
        raise ValueError("le nombre de workers doit être au moins 1")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailableError(
            "pyspark n'est pas installé : pip install 'avec[batch]' (Java 17 requis)"
        ) from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    builder = SparkSession.builder
    if not _under_launcher():
        settings = local_conf(workers)
        if master is not None:
            settings["spark.master"] = master
        # Spark otherwise resolves the host name and warns when it maps to a loopback address.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        # PySpark's context reads the workers' interpreter from this variable only (not the conf).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        for key, value in settings.items():
            builder = builder.config(key, value)
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        with quiet_pyspark():
            spark = builder.getOrCreate()
    except Exception as exc:  # typically JAVA_GATEWAY_EXITED: no usable Java
        raise SparkUnavailableError(
            f"Spark n'a pas pu démarrer ({type(exc).__name__}) : vérifiez que Java 17 est installé "
            "(paquet Debian openjdk-17-jre-headless) et que JAVA_HOME est correct"
        ) from None
    # Spark's INFO and WARN lines are operational noise here; errors still show.
    spark.sparkContext.setLogLevel("ERROR")
    return spark, True
