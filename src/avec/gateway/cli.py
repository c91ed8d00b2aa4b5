"""``avec gateway``: serve the OpenAI-compatible gateway, check its file, make client keys."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

gateway_app = typer.Typer(
    name="gateway",
    help="Passerelle compatible OpenAI : protège les requêtes, restitue et vérifie les réponses.",
    no_args_is_help=True,
)

_ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Fichier de configuration YAML/JSON (sinon AVEC_GATEWAY_CONFIG)."),
]


def _settings(config: Path | None) -> object:
    from avec.gateway.config import GatewaySettings

    settings = GatewaySettings()
    if config is not None:
        settings = settings.model_copy(update={"gateway_config": config})
    return settings


@gateway_app.command("serve")
def serve_cmd(
    config: _ConfigOption = None,
    host: Annotated[str | None, typer.Option(help="Adresse d'écoute (défaut 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port d'écoute (défaut 8088).")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processus de service (un par cœur). Au-delà de 1, les conversations doivent "
            "être en base (options.vault_store: database).",
        ),
    ] = 1,
) -> None:
    """Lancer la passerelle (POST /v1/chat/completions, GET /v1/models)."""
    import os

    import uvicorn

    from avec.gateway import ConfigError, GatewaySettings, create_app, load_config
    from avec.protect.vault import load_key

    settings = _settings(config)
    if not isinstance(settings, GatewaySettings):  # pragma: no cover - typing guard
        raise typer.Exit(2)
    try:
        if workers > 1 and (
            settings.gateway_config is None
            or load_config(settings.gateway_config).options.vault_store != "database"
        ):
            raise ConfigError(
                "plusieurs processus exigent des conversations en base (options.vault_store: "
                "database) : sinon une conversation poursuivie par un autre processus changerait "
                "de pseudonymes"
            )
        app = create_app(settings)  # built here too, so that a wrong configuration stops now
    except (ConfigError, ValueError) as exc:
        typer.echo(f"Erreur : {exc}", err=True)
        raise typer.Exit(2) from None
    bind_host, bind_port = host or settings.gateway_host, port or settings.gateway_port
    # access_log off: request lines are harmless, but nothing about requests is logged by design.
    if workers == 1:
        uvicorn.run(app, host=bind_host, port=bind_port, access_log=False)
        return
    # Each worker builds its own application from the environment; the vault key is made (or
    # read) here first, so that no two workers create different keys at the same moment.
    del app  # only built to check the configuration: each worker builds its own
    load_key(settings)
    os.environ["AVEC_GATEWAY_CONFIG"] = str(settings.gateway_config)
    _serve_workers(
        uvicorn.Config(
            "avec.gateway.app:app_from_environment",
            factory=True,
            workers=workers,
            host=bind_host,
            port=bind_port,
            access_log=False,
        )
    )


def _serve_workers(config: Any) -> None:
    """uvicorn's multi-process supervisor, on a listening socket that knows it is TCP.

    uvicorn binds that socket with ``proto`` 0; accepted connections inherit it and asyncio then
    leaves Nagle's algorithm on, so every keep-alive response waited ~40 ms for the client's
    delayed ACK (uvicorn issue #3149, measured here: 44 ms instead of 0.4 ms per request).
    """
    import socket

    from uvicorn.supervisors import Multiprocess

    bound = config.bind_socket()
    tcp = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    tcp.set_inheritable(True)
    Multiprocess(config, sockets=[tcp]).run()


@gateway_app.command("check")
def check_cmd(config: _ConfigOption = None) -> None:
    """Vérifier le fichier de configuration et la présence des clés amont."""
    import os

    from avec.gateway import ConfigError, load_config

    path = config or getattr(_settings(None), "gateway_config", None)
    if path is None:
        typer.echo("Erreur : indiquez --config ou AVEC_GATEWAY_CONFIG.", err=True)
        raise typer.Exit(2)
    try:
        cfg = load_config(Path(path))
    except ConfigError as exc:
        typer.echo(f"Erreur : {exc}", err=True)
        raise typer.Exit(2) from None
    for system in cfg.systems:
        key = (
            "sans clé"
            if not system.api_key_env
            else (
                "clé présente"
                if os.environ.get(system.api_key_env)
                else f"clé ABSENTE ({system.api_key_env})"
            )
        )
        health = "données de santé autorisées" if system.health_data else "non homologué santé"
        models = ", ".join(m.name for m in system.models)
        typer.echo(f"- {system.id} : {system.base_url} ; {health} ; {key} ; modèles : {models}")
    typer.echo(f"{len(cfg.keys)} clé(s) client, {len(cfg.teams)} équipe(s). Configuration valide.")


@gateway_app.command("key")
def key_cmd(
    key_id: Annotated[str, typer.Option("--id", help="Identifiant de la clé (poste, application).")],
    team: Annotated[str | None, typer.Option(help="Équipe de la clé.")] = None,
) -> None:
    """Créer une clé client : la clé s'affiche une seule fois, seule son empreinte va dans le fichier."""
    from avec.gateway import new_key

    key, digest = new_key()
    typer.echo(f"Clé à remettre à l'utilisateur (affichée une seule fois) : {key}")
    typer.echo("À ajouter sous « keys: » dans la configuration :")
    typer.echo(f"  - id: {key_id}")
    if team:
        typer.echo(f"    team: {team}")
    typer.echo(f"    sha256: {digest}")
