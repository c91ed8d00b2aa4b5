"""The catalogue: shipped examples marked for review, an organisation's own file, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from avec.catalog import TASK_IDS, CatalogError, load_catalog, parse_catalog, task_label


def test_shipped_examples_are_marked_for_review() -> None:
    systems = load_catalog()
    assert len(systems) >= 3
    for s in systems:
        assert s.review_note.startswith("à vérifier (")
        assert s.intended_uses <= TASK_IDS
        assert s.contact
    assert any(s.health_data_allowed for s in systems)
    assert any(not s.health_data_allowed for s in systems)


def test_the_organisation_file_replaces_the_examples(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(
        "systems:\n  - id: maison\n    name: IA maison\n    intended_uses: [courrier]\n"
        "    health_data_allowed: true\n    contact: DSI\n",
        encoding="utf-8",
    )
    [system] = load_catalog(tmp_path)
    assert (system.id, system.health_data_allowed, system.allows("courrier"), system.allows("autre")) == (
        "maison",
        True,
        True,
        False,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("systems: [", "YAML invalide"),
        ("autre: 1", "liste « systems »"),
        ("systems: []", "catalogue vide"),
        ("systems:\n  - name: X", "champ obligatoire manquant (id)"),
        ("systems:\n  - {id: a, name: A, intended_uses: [diagnostic]}", "tâche(s) inconnue(s) diagnostic"),
        ("systems:\n  - {id: a, name: A, health_data_allowed: peut-être}", "true ou false"),
        ("systems:\n  - {id: a, name: A}\n  - {id: a, name: B}", "en double"),
    ],
)
def test_invalid_catalogues_fail_clearly(text: str, message: str) -> None:
    with pytest.raises(CatalogError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_catalog(text)


def test_task_labels_are_french() -> None:
    assert task_label("explication_patient") == "Explication au patient"
    assert task_label("inconnu") == "inconnu"
