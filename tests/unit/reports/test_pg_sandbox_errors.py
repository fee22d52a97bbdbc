from __future__ import annotations

from pathlib import Path

import pytest

from acd.sandbox import postgres


def test_missing_binaries_name_what_and_how(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(postgres, "_PG_LIB", tmp_path / "nowhere")
    monkeypatch.setenv("ACD_PG_BIN", str(tmp_path))
    monkeypatch.setattr(postgres.shutil, "which", lambda _name: None)
    with pytest.raises(
        postgres.PostgresUnavailable, match=r"initdb.*apt-get install -y postgresql"
    ):
        postgres.start(tmp_path / "pg")


def test_status_of_an_uninitialised_cluster_is_false(tmp_path: Path) -> None:
    assert postgres.status(tmp_path) is False
