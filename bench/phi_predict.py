"""Write AVEC's detections for a gold JSONL file in the evaluation's prediction format.

Usage: python bench/phi_predict.py GOLD.jsonl OUT.jsonl [--steps identifiers,dates]
Then score with ../shared/eval/score_phi.py GOLD.jsonl OUT.jsonl.
"""

from __future__ import annotations

import argparse
import json
import time

import avec.protect.detectors.all  # noqa: F401  (registers detectors)
from avec.protect.pipeline import Pipeline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("gold")
    parser.add_argument("out")
    parser.add_argument("--steps", default="", help="comma-separated step names (default: all)")
    args = parser.parse_args()
    steps = [s for s in args.steps.split(",") if s] or None
    pipe = Pipeline(steps)
    pipe.load()
    t0 = time.perf_counter()
    n = 0
    with open(args.gold, encoding="utf-8") as fin, open(args.out, "w", encoding="utf-8") as fout:
        for line in fin:
            doc = json.loads(line)
            spans = pipe.detect(doc["text"])
            fout.write(json.dumps({"id": doc["id"], "spans": [
                {"start": s.start, "end": s.end, "label": s.label} for s in spans]}) + "\n")
            n += 1
    print(f"{n} documents, {(time.perf_counter() - t0) / max(n, 1) * 1000:.1f} ms/doc")


if __name__ == "__main__":
    main()
