"""Command line: ``avec --help``. Thin shells over the library; every message is in French."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="avec",
    help="AVEC : protéger ce que vous envoyez à une IA générative, vérifier ce qu'elle répond.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """AVEC : protéger, vérifier, mesurer, communiquer (clés A.V.E.C. de la HAS)."""


# --- protect commands (protect, reveal, detect, demo) ---

# --- verify commands ---


if __name__ == "__main__":
    app()
