"""``spark-submit .../avec/batch/__main__.py IN OUT [options]``: ``avec batch`` under a launcher.

spark-submit needs a Python file as the application; this one runs the ``avec batch`` command
with the arguments given after it, in the session spark-submit created (master, executors and
memory come from spark-submit, not from ``--workers``).
"""

from __future__ import annotations

import sys

from avec.cli import app


def main() -> None:
    """Run ``avec batch`` with this process's arguments."""
    app(["batch", *sys.argv[1:]], prog_name="avec")


if __name__ == "__main__":
    main()
