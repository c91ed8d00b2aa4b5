"""Benchmark ``avec.verify`` on the shared development set (``../shared/eval/verify_dev.jsonl``).

Prints the official scorer's report (recall and precision per type, false alarms per clean case) and the
time per case (p50 / p95). Skips with a message when the evaluation folder is absent.

Usage: ``python bench/verify.py [--data PATH] [--today 2026-01-01]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "verify_dev.jsonl"


def lexicon_false_alarms() -> None:
    """Every name of the drug resources in "Traitement : X 10 mg le matin." must give no drug finding."""
    import json as _json
    from importlib import resources

    from avec.verify import verify

    path = Path(str(resources.files("edsnlp"))) / "resources" / "drugs.json"
    names = sorted({n for syn in _json.loads(path.read_text(encoding="utf-8")).values() for n in syn})
    extra = (resources.files("avec") / "data" / "verify" / "drugs_extra.csv").read_text(encoding="utf-8")
    names += [ln.split(",")[0] for ln in extra.splitlines()[1:] if ln and not ln.startswith(("#", "name"))]
    flagged: list[str] = []
    for name in names:
        findings = verify(f"Traitement : {name} 10 mg le matin.")
        if any(f.type in ("UNKNOWN_DRUG", "MISSPELLED_DRUG") for f in findings):
            flagged.append(name)
    share = 100 * len(flagged) / len(names)
    print(f"Lexique : {len(flagged)} nom(s) signalé(s) sur {len(names)} ({share:.2f} %)")
    for name in flagged[:15]:
        print(f"  - {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--today", default="2026-06-30", help="date de référence (AAAA-MM-JJ)")
    args = parser.parse_args()
    data: Path = args.data
    if not data.exists():
        print(f"Jeu d'évaluation absent ({data}) : banc ignoré.")
        return 0
    from avec.verify import verify
    from avec.verify.drugs import find_mentions

    today = date.fromisoformat(args.today)
    started = time.perf_counter()
    find_mentions("paracétamol 1 g")  # load lexicons outside the timed loop
    print(f"Chargement : {time.perf_counter() - started:.2f} s")
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line.strip()]
    timings: list[float] = []
    predictions: list[str] = []
    for row in rows:
        t0 = time.perf_counter()
        findings = verify(row["output"], row.get("source") or None, today=today)
        timings.append((time.perf_counter() - t0) * 1000)
        found = [{"start": f.start, "end": f.end, "type": str(f.type)} for f in findings]
        predictions.append(json.dumps({"id": row["id"], "findings": found}, ensure_ascii=False))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as out:
        out.write("\n".join(predictions) + "\n")
    scorer = data.parent / "score_verify.py"
    subprocess.run([sys.executable, str(scorer), str(data), out.name], check=False)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
    print(f"Temps par cas : p50 {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms ({len(rows)} cas)")
    Path(out.name).unlink()
    lexicon_false_alarms()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
