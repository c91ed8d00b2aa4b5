"""Gateway overhead: added latency (p50/p95) and streaming TTFT overhead versus the upstream directly.

Starts the recorded upstream stand-in and the gateway in two processes, then sends 2,000-character
prompts (each with different planted identifiers, so no cache helps) at 1, 10 and 50 concurrent
clients, once directly to the stand-in and once through the gateway. Prints a Markdown table.

    .venv/bin/python bench/gateway.py            # full run (about two minutes on 2 cores)
    .venv/bin/python bench/gateway.py --quick    # fewer requests
    .venv/bin/python bench/gateway.py --workers 2 --model-ms 800   # 2 gateway processes, and an
                                                 # upstream that thinks 800 ms like a real model

With ``--model-ms 0`` (the default) the stand-in answers at once: clients send back to back, so at
10 and 50 clients the figures measure a saturated gateway (queueing), not its cost per request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "gateway"))

KEY = "avec-bench-key"
FIRST = ["Maëlys", "Gwenaël", "Solène", "Yannick", "Armelle", "Corentin", "Nolwenn", "Tugdual"]
LAST = ["Quéméner", "Abgrall", "Le Bihan", "Kerhervé", "Guéguen", "Tanguy", "Le Floch", "Cadiou"]
FILLER = (
    "Antécédents : HTA traitée par amlodipine 5 mg/j, diabète de type 2 sous metformine 1 000 mg "
    "deux fois par jour, créatinine 95 µmol/L. Examen clinique sans particularité, TA 135/80. "
)


def prompt(rng: random.Random) -> str:
    """A 2,000-character request with fresh identifiers."""
    n = rng.randrange(10**12, 10**13)
    nir = f"{n:013d}{97 - n % 97:02d}"
    head = (
        f"Dr {rng.choice(LAST)} : patiente Mme {rng.choice(FIRST)} {rng.choice(LAST)}, née le "
        f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/19{rng.randint(30, 99)}, NIR {nir}, "
        f"tél. 06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}. "
    )
    body = head + FILLER * 20
    return body[:1990] + " Résumez."


def _serve(role: str, port: int, upstream: str, tmp: str, model_ms: float = 0.0) -> None:
    import uvicorn
    from upstream_standin import Recorder, make_upstream

    if role == "upstream":
        rec = Recorder()
        rec.delay, rec.chunk_chars = 0.005, 4
        rec.echo_limit = 400
        rec.think = model_ms / 1000
        uvicorn.run(make_upstream(rec), host="127.0.0.1", port=port, log_level="error", access_log=False)
        return
    from cryptography.fernet import Fernet

    from avec.config import Settings
    from avec.gateway import create_app, parse_config

    cfg = parse_config(_config(upstream))
    settings = Settings(data_dir=Path(tmp), vault_key=Fernet.generate_key().decode())
    app = create_app(settings, config=cfg)  # SQLite journal and real verification, as deployed
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)


def _config(upstream: str, vault_store: str = "memory") -> dict[str, object]:
    from avec.gateway import hash_key

    return {
        "systems": [
            {
                "id": "bench",
                "base_url": f"{upstream}/v1",
                "provider": "mistralai",
                "models": ["mistral-small-latest"],
            }
        ],
        "keys": [{"id": "bench", "sha256": hash_key(KEY)}],
        "options": {"vault_store": vault_store},
    }


def _gateway_command(args: argparse.Namespace, port: int, upstream: str, tmp: str) -> list[str]:
    """The gateway process: in this script (one process), or ``avec gateway serve --workers N``."""
    if args.workers == 1:
        return [
            sys.executable,
            __file__,
            "--role",
            "gateway",
            "--port",
            str(port),
            "--upstream",
            upstream,
            "--tmp",
            tmp,
        ]
    import yaml

    path = Path(tmp) / "passerelle.yaml"
    path.write_text(yaml.safe_dump(_config(upstream, "database")), encoding="utf-8")
    avec = Path(sys.executable).with_name("avec")
    return [
        str(avec),
        "gateway",
        "serve",
        "--config",
        str(path),
        "--port",
        str(port),
        "--workers",
        str(args.workers),
    ]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def _one(client: httpx.AsyncClient, url: str, text: str, stream: bool) -> tuple[float, float]:
    body = {
        "model": "mistral-small-latest",
        "messages": [{"role": "user", "content": text}],
        "stream": stream,
    }
    headers = {"Authorization": f"Bearer {KEY}"}
    t0 = time.perf_counter()
    if not stream:
        r = await client.post(f"{url}/v1/chat/completions", json=body, headers=headers)
        r.raise_for_status()
        dt = time.perf_counter() - t0
        return dt, dt
    first = None
    async with client.stream("POST", f"{url}/v1/chat/completions", json=body, headers=headers) as r:
        r.raise_for_status()
        async for line in r.aiter_lines():
            if first is None and line.startswith("data: {"):
                data = json.loads(line[6:])
                if any((c.get("delta") or {}).get("content") for c in data.get("choices", [])):
                    first = time.perf_counter() - t0
    total = time.perf_counter() - t0
    return total, first if first is not None else total


async def _load(
    url: str, concurrency: int, n: int, stream: bool, seed: int
) -> tuple[list[float], list[float]]:
    rng = random.Random(seed)
    texts = [prompt(rng) for _ in range(n)]
    totals: list[float] = []
    firsts: list[float] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for t in texts:
        queue.put_nowait(t)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                text = queue.get_nowait()
                total, first = await _one(client, url, text, stream)
                totals.append(total * 1000)
                firsts.append(first * 1000)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return totals, firsts


def _wait(url: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/v1/models", headers={"Authorization": f"Bearer {KEY}"}, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--role", choices=["upstream", "gateway"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--upstream", default="")
    parser.add_argument("--tmp", default="")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--model-ms", type=float, default=0.0, help="upstream wait before answering (a model's latency)"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="gateway processes (avec gateway serve --workers)"
    )
    args = parser.parse_args()
    if args.role:
        _serve(args.role, args.port, args.upstream, args.tmp, args.model_ms)
        return
    from upstream_standin import free_port

    up_port, gw_port = free_port(), free_port()
    up, gw = f"http://127.0.0.1:{up_port}", f"http://127.0.0.1:{gw_port}"
    tmp = tempfile.mkdtemp()
    from cryptography.fernet import Fernet

    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "AVEC_DATA_DIR": tmp,
        "AVEC_VAULT_KEY": Fernet.generate_key().decode(),
    }
    upstream_cmd = [sys.executable, __file__, "--role", "upstream", "--port", str(up_port)]
    procs = [
        subprocess.Popen([*upstream_cmd, "--model-ms", str(args.model_ms)], env=env),
        subprocess.Popen(_gateway_command(args, gw_port, up, tmp), env=env),
    ]
    try:
        _wait(up)
        _wait(gw)
        asyncio.run(_load(gw, 2, 10, False, 0))  # warm-up (models, lexicons, connections)
        asyncio.run(_load(gw, 2, 6, True, 1))
        sizes = {1: (60, 20), 10: (200, 60), 50: (400, 150)}
        if args.quick:
            sizes = {1: (20, 8), 10: (60, 20), 50: (150, 50)}
        print(
            "| clients | direct p50 | direct p95 | passerelle p50 | passerelle p95 | ajout p50 | ajout p95 "
            "| TTFT direct p50 | TTFT passerelle p50 | TTFT p95 direct | TTFT p95 passerelle "
            "| surcoût TTFT p50 / p95 |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for c, (n, ns) in sizes.items():
            d, _ = asyncio.run(_load(up, c, n, False, 10 + c))
            g, _ = asyncio.run(_load(gw, c, n, False, 10 + c))
            _, df = asyncio.run(_load(up, c, ns, True, 20 + c))
            _, gf = asyncio.run(_load(gw, c, ns, True, 20 + c))
            cells = [
                _pct(d, 0.5),
                _pct(d, 0.95),
                _pct(g, 0.5),
                _pct(g, 0.95),
                _pct(g, 0.5) - _pct(d, 0.5),
                _pct(g, 0.95) - _pct(d, 0.95),
                statistics.median(df),
                statistics.median(gf),
                _pct(df, 0.95),
                _pct(gf, 0.95),
            ]
            over = (
                f"{statistics.median(gf) - statistics.median(df):.1f} / {_pct(gf, 0.95) - _pct(df, 0.95):.1f}"
            )
            print(f"| {c} | " + " | ".join(f"{v:.1f}" for v in cells) + f" | {over} |", flush=True)
        print(
            f"\n(ms ; 2 000 caractères par requête ; amont : {args.model_ms:.0f} ms avant de répondre, "
            f"flux de 4 caractères toutes les 5 ms ; passerelle : {args.workers} processus)"
        )
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=10)


if __name__ == "__main__":
    main()
