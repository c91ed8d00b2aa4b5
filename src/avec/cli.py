"""Command line: ``avec --help``. Thin shells over the library; every message is in French."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

app = typer.Typer(
    name="avec",
    help="AVEC : protéger ce que vous envoyez à une IA générative, vérifier ce qu'elle répond.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """AVEC : protéger, vérifier, mesurer, communiquer (clés A.V.E.C. de la HAS)."""


# --- serve command (web companion) ---


@app.command("serve")
def serve_cmd(
    host: Annotated[
        str, typer.Option("--host", help="Adresse d'écoute (127.0.0.1 : ce poste seulement).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port d'écoute.")] = 8000,
) -> None:
    """Lancer le compagnon web sur http://127.0.0.1:8000 (base SQLite locale par défaut)."""
    import uvicorn

    from avec.catalog import CatalogError
    from avec.config import get_settings
    from avec.journal import JournalError
    from avec.protect.vault import VaultError
    from avec.web import create_app

    try:
        loopback = host in ("127.0.0.1", "localhost", "::1")
        hosts = ["127.0.0.1", "localhost", "[::1]"] if loopback else None
        web_app = create_app(get_settings(), allowed_hosts=hosts)
    except (JournalError, CatalogError, VaultError) as exc:
        typer.echo(f"Erreur : {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"AVEC : compagnon disponible sur http://{host}:{port} (Ctrl+C pour arrêter).", err=True)
    uvicorn.run(web_app, host=host, port=port, log_level="warning", access_log=False)


# --- gateway commands (gateway serve, gateway check, gateway key) ---

from avec.gateway.cli import gateway_app  # noqa: E402  (a light module: typer only at import)

app.add_typer(gateway_app, name="gateway")


# --- protect commands (protect, reveal, detect, demo) ---


def _fail(message: str) -> NoReturn:
    """Print a French error on stderr and exit with code 2 (bad input)."""
    typer.echo(f"Erreur : {message}", err=True)
    raise typer.Exit(2)


def _read_text(source: str) -> str:
    """Read a UTF-8 text file (or stdin for ``-``), refusing binary or undecodable input."""
    from avec.config import get_settings

    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        _fail(f"lecture impossible du fichier ({type(exc).__name__})")
    if b"\x00" in data:
        _fail("le fichier semble binaire : seuls les textes UTF-8 sont acceptés")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _fail(f"le fichier n'est pas en UTF-8 valide (octet {exc.start})")
    if not text.strip():
        _fail("le texte est vide : rien à traiter")
    limit = get_settings().max_input_chars
    if len(text) > limit:
        _fail(f"texte trop long ({len(text)} caractères, maximum {limit}) : découpez-le")
    return text


def _vault_key() -> bytes:
    from avec.config import get_settings
    from avec.protect.vault import load_key

    return load_key(get_settings())


@app.command("protect")
def protect_cmd(
    source: Annotated[str, typer.Argument(help="Fichier texte à protéger, ou - pour l'entrée standard.")],
    map_file: Annotated[
        Path | None, typer.Option("--map", help="Fichier chiffré où enregistrer la correspondance.")
    ] = None,
    tags: Annotated[
        bool, typer.Option("--tags", help="Étiquettes typées ([NOM_1]) au lieu de valeurs réalistes.")
    ] = False,
    report: Annotated[
        bool, typer.Option("--report", help="Afficher ce qui a été trouvé (sans les valeurs).")
    ] = False,
) -> None:
    """Pseudonymiser un texte avant de l'envoyer à une IA."""
    from avec.protect.api import Conversation, InputError, protect
    from avec.protect.pipeline import ProtectionError
    from avec.protect.vault import VaultError
    from avec.text import LABEL_FR

    text = _read_text(source)
    try:
        key = _vault_key() if map_file is not None else None
        conv = (
            Conversation.load(map_file, key)
            if map_file is not None and map_file.exists()
            else Conversation.new()
        )
        result = protect(text, conv, mode="tag" if tags else "surrogate")
        if map_file is not None:
            conv.save(map_file, key)
    except (InputError, ProtectionError, VaultError) as exc:
        _fail(str(exc))
    typer.echo(result.text, nl=not result.text.endswith("\n"))
    if map_file is None:
        typer.echo("Attention : sans --map, la correspondance est perdue (restitution impossible).", err=True)
    if report:
        counts = Counter(s.label for s in result.spans)
        typer.echo(f"Identifiants remplacés : {sum(counts.values())}", err=True)
        for label, n in sorted(counts.items()):
            typer.echo(f"  - {LABEL_FR.get(label, label)} : {n}", err=True)
        summary = getattr(result.risk, "explanation_fr", None)
        if isinstance(summary, str):
            typer.echo(f"Risque indirect : {summary}", err=True)


@app.command("reveal")
def reveal_cmd(
    source: Annotated[str, typer.Argument(help="Réponse de l'IA (fichier, ou - pour l'entrée standard).")],
    map_file: Annotated[
        Path, typer.Option("--map", help="Correspondance chiffrée écrite par « avec protect ».")
    ],
) -> None:
    """Restituer les données d'origine dans la réponse d'une IA."""
    from avec.protect.api import Conversation, InputError, reveal
    from avec.protect.vault import VaultError

    text = _read_text(source)
    if not map_file.exists():
        _fail("fichier de correspondance introuvable")
    try:
        out = reveal(text, Conversation.load(map_file, _vault_key()))
    except (InputError, VaultError) as exc:
        _fail(str(exc))
    typer.echo(out, nl=not out.endswith("\n"))


@app.command("detect")
def detect_cmd(
    jsonl: Annotated[Path, typer.Option("--jsonl", help="Entrée : une ligne JSON {id, text} par document.")],
    out: Annotated[Path, typer.Option("--out", help="Sortie : une ligne JSON {id, spans} par document.")],
) -> None:
    """Détecter les identifiants d'un corpus (format de prédiction de l'évaluation)."""
    from rich.progress import Progress

    from avec.protect.pipeline import ProtectionError, default_pipeline

    try:
        lines = jsonl.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"lecture impossible du fichier d'entrée ({type(exc).__name__})")
    pipe = default_pipeline()
    rows: list[str] = []
    with Progress(console=Console(stderr=True), transient=True, disable=len(lines) < 20) as bar:
        task = bar.add_task("Détection", total=len(lines))
        for number, line in enumerate(lines, start=1):
            bar.advance(task)
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
                doc_id, text = doc["id"], doc["text"]
                if not isinstance(text, str):
                    raise TypeError
            except (ValueError, KeyError, TypeError, RecursionError):
                _fail(f"ligne {number} mal formée (attendu : un objet JSON avec « id » et « text »)")
            try:
                spans = pipe.detect(text)
            except ProtectionError as exc:
                _fail(f"ligne {number} : {exc}")
            found = [{"start": s.start, "end": s.end, "label": s.label} for s in spans]
            rows.append(json.dumps({"id": doc_id, "spans": found}))  # ASCII: any id stays writable
    out.write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    typer.echo(f"{len(rows)} document(s) traité(s).", err=True)


@app.command("demo")
def demo_cmd() -> None:
    """Protéger puis restituer une lettre de liaison fictive fournie avec AVEC."""
    from importlib import resources

    from avec.protect.api import Conversation, protect, reveal
    from avec.protect.pipeline import ProtectionError

    text = (resources.files("avec") / "data" / "lettre_liaison.txt").read_text(encoding="utf-8")
    conv = Conversation.new()
    try:
        result = protect(text, conv)
    except ProtectionError as exc:
        _fail(str(exc))
    typer.echo("=== 1. Texte protégé : ce qui serait envoyé à l'IA ===")
    typer.echo("Les noms, dates, numéros et lieux sont remplacés par des valeurs fictives cohérentes ;")
    typer.echo("les dates sont décalées d'un même nombre de jours, les durées restent justes.\n")
    typer.echo(result.text)
    typer.echo(f"\n({len(result.spans)} identifiant(s) remplacé(s).)\n")
    typer.echo("=== 2. Texte restitué : les données d'origine, remises en place localement ===\n")
    typer.echo(reveal(result.text, conv))


# --- batch command (Spark) ---


@app.command("batch")
def batch_cmd(
    source: Annotated[str, typer.Argument(help="Entrée : fichier ou dossier Parquet ou JSONL.")],
    target: Annotated[str, typer.Argument(help="Sortie : dossier écrit par Spark (fichiers part-*).")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="parquet ou jsonl (défaut : selon l'extension).")
    ] = None,
    out_fmt: Annotated[str | None, typer.Option("--out-format", help="Format de sortie si autre.")] = None,
    text_column: Annotated[str, typer.Option("--text-column", help="Colonne du texte.")] = "text",
    id_column: Annotated[str, typer.Option("--id-column", help="Colonne de l'identifiant.")] = "id",
    workers: Annotated[int, typer.Option("--workers", help="Processus en parallèle (Spark local).")] = 1,
    mode: Annotated[str, typer.Option("--mode", help="detect (positions) ou protect (texte).")] = "detect",
    tags: Annotated[bool, typer.Option("--tags", help="Mode protect : étiquettes [NOM_1].")] = False,
    seed: Annotated[int | None, typer.Option("--seed", help="Mode protect : tirages reproductibles.")] = None,
    keep_mapping: Annotated[
        bool, typer.Option("--keep-mapping", help="Mode protect : écrire la correspondance chiffrée.")
    ] = False,
    partitions: Annotated[int | None, typer.Option("--partitions", help="Répartir en N partitions.")] = None,
    master: Annotated[str | None, typer.Option("--master", help="Maître Spark (défaut : local).")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Remplacer la sortie existante.")] = False,
) -> None:
    """Désidentifier un grand corpus avec Apache Spark (nécessite l'extra « batch » d'AVEC et Java 17)."""
    from avec.batch.command import execute, resolve_formats, summary_fr
    from avec.batch.job import BatchError, BatchOptions
    from avec.batch.session import SparkUnavailableError
    from avec.config import get_settings
    from avec.protect.vault import VaultError

    try:
        in_format, out_format = resolve_formats(source, fmt, out_fmt)
        options = BatchOptions(
            source, target, in_format, out_format, mode, text_column, id_column, partitions, overwrite,
            "tag" if tags else "surrogate", seed, get_settings().max_input_chars,
        )  # fmt: skip
        report = execute(options, workers=workers, master=master, keep_mapping=keep_mapping)
    except (BatchError, SparkUnavailableError, VaultError, ValueError) as exc:
        _fail(str(exc))
    for line in summary_fr(report, options):
        typer.echo(line, err=True)


# --- report command (team report: HTML, PDF, CSV) ---


@app.command("report")
def report_cmd(
    first: Annotated[str, typer.Option("--from", help="Premier jour de la période (AAAA-MM-JJ).")],
    last: Annotated[str, typer.Option("--to", help="Dernier jour de la période, inclus (AAAA-MM-JJ).")],
    fmt: Annotated[str, typer.Option("--format", help="Format : html, pdf ou csv.")] = "html",
    out: Annotated[
        Path | None, typer.Option("--out", help="Fichier de sortie (par défaut : sortie standard, sauf PDF).")
    ] = None,
    team: Annotated[
        str | None, typer.Option("--team", help="Une seule équipe (par défaut : toute l'organisation).")
    ] = None,
) -> None:
    """Produire le rapport d'équipe d'une période depuis le journal (aucune donnée identifiante)."""
    from avec.estimate.cli import write_report

    write_report(first, last, fmt, out, team, _fail)


# --- verify commands ---


@app.command("verify")
def verify_cmd(
    answer: Annotated[
        str | None, typer.Argument(help="Réponse de l'IA à vérifier (fichier, ou - pour l'entrée standard).")
    ] = None,
    source: Annotated[
        Path | None,
        typer.Option("--source", help="Document donné à l'IA (active la vérification des sources)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="Sortie : text (lisible) ou json.")] = "text",
    jsonl: Annotated[
        Path | None, typer.Option("--jsonl", help="Lot : une ligne JSON {id, source, output} par réponse.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Lot : fichier de sortie {id, findings}.")] = None,
) -> None:
    """Vérifier une réponse d'IA : médicaments, unités, doses, fidélité à la source, références."""
    from avec.verify.report import run_batch, run_single

    if jsonl is not None:
        if out is None or answer is not None:
            _fail("en mode lot, donnez --jsonl ENTRÉE et --out SORTIE, sans fichier de réponse")
        run_batch(jsonl, out, _fail)
        return
    if answer is None:
        _fail("indiquez le fichier de la réponse à vérifier (ou - pour l'entrée standard)")
    if fmt not in ("text", "json"):
        _fail("format inconnu : choisissez text ou json")
    src = _read_text(str(source)) if source is not None else None
    run_single(_read_text(answer), src, fmt, _fail)


if __name__ == "__main__":
    app()
