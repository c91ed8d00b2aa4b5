"""Writing the organisation's catalogue: round trip, conformity fields, refusal before writing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from avec.apprendre.grid import Criterion, profile_from_system
from avec.catalog import CatalogError, dump_catalog, load_catalog, parse_catalog, save_catalog


def test_shipped_examples_carry_conformity_fields_marked_for_review() -> None:
    systems = {s.id: s for s in load_catalog()}
    assert systems["le_chat"].data_in_eu is True
    assert systems["chatgpt"].hds_hosting is False
    assert systems["ia_etablissement"].hds_hosting is None  # to be filled by the organisation
    assert all(s.review_note == "à vérifier (2026-11-29)" for s in systems.values())
    profile = profile_from_system(systems["chatgpt"])
    assert profile.answers[Criterion.NO_TRAINING] is False
    assert profile.answers[Criterion.EU_DATA] is False


def test_round_trip_and_atomic_save(tmp_path: Path) -> None:
    systems = load_catalog()
    assert parse_catalog(dump_catalog(systems)) == systems
    changed = (replace(systems[0], hds_hosting=True, allowed_data_categories=("DATE",)), *systems[1:])
    saved = save_catalog(tmp_path, changed)
    assert saved == load_catalog(tmp_path) == changed
    assert [p.name for p in tmp_path.iterdir()] == ["catalog.yaml"]


def test_invalid_catalogue_is_not_written(tmp_path: Path) -> None:
    systems = load_catalog()
    with pytest.raises(CatalogError, match="en double"):
        save_catalog(tmp_path, [*systems, systems[0]])
    with pytest.raises(CatalogError, match="catalogue vide"):
        save_catalog(tmp_path, [])
    assert not (tmp_path / "catalog.yaml").exists()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{id: a, name: A, hds_hosting: peut-être}", "true, false ou null"),
        ("{id: a, name: A, allowed_data_categories: [ADN]}", "catégorie(s) de données inconnue(s) ADN"),
    ],
)
def test_invalid_conformity_fields(entry: str, message: str) -> None:
    with pytest.raises(CatalogError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_catalog(f"systems:\n  - {entry}")


def test_trains_on_user_data_is_read_inverted() -> None:
    [system] = parse_catalog("systems:\n  - {id: a, name: A, trains_on_user_data: true}")
    assert system.no_training_on_user_data is False
