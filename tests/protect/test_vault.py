"""Vault: encryption, key file, expiry, stores."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from avec.config import Settings
from avec.protect.vault import (
    FileStore,
    MemoryStore,
    Vault,
    VaultError,
    VaultKeyError,
    load_key,
    seal,
    unseal,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_key_generated_once_with_0600(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, vault_key=None)
    key = load_key(settings)
    path = tmp_path / "vault.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key(settings) == key


def test_key_from_setting(tmp_path: Path) -> None:
    key = Fernet.generate_key()
    assert load_key(Settings(data_dir=tmp_path, vault_key=key.decode())) == key
    with pytest.raises(VaultKeyError):
        load_key(Settings(data_dir=tmp_path, vault_key="pas-une-cle"))


def test_seal_roundtrip_and_wrong_key() -> None:
    key = Fernet.generate_key()
    blob = seal({"a": "Dupont"}, key)
    assert b"Dupont" not in blob
    assert unseal(blob, key) == {"a": "Dupont"}
    with pytest.raises(VaultKeyError) as err:
        unseal(blob, Fernet.generate_key())
    assert "Dupont" not in str(err.value)


def test_expiry_and_purge() -> None:
    clock = Clock()
    vault = Vault(10, clock)
    vault.add("Martin", "Dupont", "NOM")
    assert not vault.expired()
    clock.now += 11
    assert len(vault.expired()) == 1
    assert vault.purge() == 1 and len(vault) == 0


def test_conflicting_mapping_refused() -> None:
    vault = Vault(10)
    vault.add("Martin", "Dupont", "NOM")
    with pytest.raises(VaultError):
        vault.add("Martin", "Durand", "NOM")


def test_dict_roundtrip() -> None:
    vault = Vault(10)
    vault.add("Martin", "Dupont", "NOM")
    again = Vault.from_dict(vault.to_dict())
    assert [e.original for e in again] == ["Dupont"]
    with pytest.raises(VaultError):
        Vault.from_dict({"nope": 1})


def test_stores(tmp_path: Path) -> None:
    for store in (MemoryStore(), FileStore(tmp_path)):
        assert store.load("c1") is None
        store.save("c1", b"blob")
        assert store.load("c1") == b"blob"
        store.delete("c1")
        assert store.load("c1") is None
    FileStore(tmp_path).save("c2", b"x")
    assert stat.S_IMODE((tmp_path / "c2.vault").stat().st_mode) == 0o600
    with pytest.raises(VaultError):
        FileStore(tmp_path).save("../evil", b"x")
