"""Loading the catalogue: the shipped YAML, or the organisation's own file in the data folder.

An organisation edits ``<data_dir>/catalog.yaml`` (same format as the shipped
``systems.yaml``); when that file exists it replaces the shipped examples entirely, so a
system the organisation removed cannot come back with an update.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from avec.catalog.models import TASK_IDS, System
from avec.text import LABEL_FR

USER_FILE = "catalog.yaml"

#: Optional yes/no conformity fields (``null`` or absent: not documented yet).
FLAG_FIELDS: tuple[str, ...] = (
    "gdpr_agreement",
    "hds_hosting",
    "data_in_eu",
    "no_training_on_user_data",
    "environmental_transparency",
)

#: Optional free-text fields, in French.
TEXT_FIELDS: tuple[str, ...] = (
    "contact",
    "review_note",
    "description",
    "provider",
    "excluded_uses",
    "medical_device",
    "ai_act",
    "data_location",
    "retention",
)


class CatalogError(ValueError):
    """The catalogue file is invalid; the French message names the entry, not its content."""


def _system(raw: Any, number: int) -> System:
    if not isinstance(raw, dict):
        raise CatalogError(f"entrée n° {number} : un dictionnaire est attendu")
    try:
        sid, name = str(raw["id"]), str(raw["name"])
        uses = raw.get("intended_uses", [])
        if not isinstance(uses, list):
            raise CatalogError(f"entrée n° {number} : intended_uses doit être une liste")
        unknown = sorted(set(map(str, uses)) - TASK_IDS)
        if unknown:
            raise CatalogError(f"entrée n° {number} : tâche(s) inconnue(s) {', '.join(unknown)}")
        health = raw.get("health_data_allowed", False)
        if not isinstance(health, bool):
            raise CatalogError(f"entrée n° {number} : health_data_allowed doit valoir true ou false")
        optional: dict[str, Any] = {f: _text(raw.get(f)) for f in TEXT_FIELDS}
        optional.update({f: _flag(raw, f, number) for f in FLAG_FIELDS})
        return System(
            id=sid,
            name=name,
            intended_uses=frozenset(map(str, uses)),
            health_data_allowed=health,
            allowed_data_categories=_categories(raw.get("allowed_data_categories"), number),
            **optional,
        )
    except KeyError as exc:
        raise CatalogError(f"entrée n° {number} : champ obligatoire manquant ({exc.args[0]})") from None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _flag(raw: dict[str, Any], name: str, number: int) -> bool | None:
    value = raw.get(name)
    if value is None and name == "no_training_on_user_data" and "trains_on_user_data" in raw:
        trains = raw["trains_on_user_data"]
        value = None if trains is None else (not trains if isinstance(trains, bool) else trains)
    if value is not None and not isinstance(value, bool):
        raise CatalogError(f"entrée n° {number} : {name} doit valoir true, false ou null")
    return value


def _categories(value: Any, number: int) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise CatalogError(f"entrée n° {number} : allowed_data_categories doit être une liste")
    unknown = sorted({str(v) for v in value} - LABEL_FR.keys())
    if unknown:
        raise CatalogError(f"entrée n° {number} : catégorie(s) de données inconnue(s) {', '.join(unknown)}")
    return tuple(dict.fromkeys(str(v) for v in value))


def parse_catalog(text: str) -> tuple[System, ...]:
    """Systems described by a YAML document (``systems:`` list).

    Raises:
        CatalogError: invalid YAML, missing fields, unknown tasks or duplicate ids.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise CatalogError("catalogue illisible (YAML invalide)") from None
    if not isinstance(data, dict) or not isinstance(data.get("systems"), list):
        raise CatalogError("catalogue invalide : une liste « systems » est attendue")
    systems = tuple(_system(raw, n) for n, raw in enumerate(data["systems"], start=1))
    ids = [s.id for s in systems]
    if len(set(ids)) != len(ids):
        raise CatalogError("catalogue invalide : identifiants en double")
    if not systems:
        raise CatalogError("catalogue vide")
    return systems


def load_catalog(data_dir: Path | None = None) -> tuple[System, ...]:
    """The organisation's catalogue when ``data_dir/catalog.yaml`` exists, else the shipped one."""
    if data_dir is not None:
        own = Path(data_dir) / USER_FILE
        if own.is_file():
            return parse_catalog(own.read_text(encoding="utf-8"))
    return parse_catalog((files("avec.catalog") / "systems.yaml").read_text(encoding="utf-8"))
