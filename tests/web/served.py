"""Start ``avec serve`` in a subprocess for browser tests, on a free port and a given data folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

#: Debian's Chromium, driven by Playwright; never a downloaded browser build.
CHROMIUM = Path("/usr/bin/chromium")
#: Flags for a closed network (no background connections, no component updates).
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--headless",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    """A TCP port free on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_companion(data_dir: Path, log_path: Path) -> Iterator[str]:
    """Run the companion until the block ends; yields its URL (fails the test if it never starts)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVEC_")}
    env["AVEC_DATA_DIR"] = str(data_dir)
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "avec.cli", "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("avec serve n'a pas démarré :\n" + log_path.read_text()[-2000:])
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
