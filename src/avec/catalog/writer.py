"""Writing the organisation's catalogue: ``<data_dir>/catalog.yaml``, validated before it replaces
the previous file.

The written file has the shipped file's format, so that the organisation can keep editing it
by hand; a comment at the top says who wrote it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from avec.catalog.loader import FLAG_FIELDS, TEXT_FIELDS, USER_FILE, parse_catalog
from avec.catalog.models import TASKS, System

_HEADER = (
    "# Catalogue des systèmes d'IA générative de l'organisation (format de systems.yaml).\n"
    "# Écrit par l'éditeur de catalogue d'AVEC ; peut aussi être modifié à la main.\n"
)


def system_to_dict(system: System) -> dict[str, Any]:
    """A system as a YAML-ready mapping (tasks in display order, empty optional fields left out)."""
    out: dict[str, Any] = {
        "id": system.id,
        "name": system.name,
        "intended_uses": [t.id for t in TASKS if t.id in system.intended_uses],
        "health_data_allowed": system.health_data_allowed,
    }
    for name in TEXT_FIELDS:
        value = getattr(system, name)
        if value:
            out[name] = value
    for name in FLAG_FIELDS:
        out[name] = getattr(system, name)
    if system.allowed_data_categories:
        out["allowed_data_categories"] = list(system.allowed_data_categories)
    return out


def dump_catalog(systems: Iterable[System]) -> str:
    """The YAML text of a catalogue; parsing it gives the same systems back.

    Raises:
        CatalogError: the systems do not form a valid catalogue (empty, duplicate ids...).
    """
    body = yaml.safe_dump(
        {"systems": [system_to_dict(s) for s in systems]},
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    text = _HEADER + body
    parse_catalog(text)  # never write a file that AVEC could not read back
    return text


def save_catalog(data_dir: Path, systems: Iterable[System]) -> tuple[System, ...]:
    """Validate and write ``data_dir/catalog.yaml`` atomically; returns the systems as read back.

    Raises:
        CatalogError: the catalogue is invalid; the previous file is left untouched.
        OSError: the data folder cannot be written.
    """
    text = dump_catalog(systems)
    data_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".catalog-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, data_dir / USER_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return parse_catalog(text)
