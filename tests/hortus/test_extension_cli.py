"""``hortus extension list|test`` in-process: the installed plugins as a table and as JSON, and arguments refused
with a message before anything runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hortus import cli


def test_list_shows_every_installed_plugin(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["extension", "list"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["NAME", "VERSION", "ENTRY", "POINT", "KIND/TYPE"]
    rows = {line.split()[0]: line for line in table[1:]}
    assert "Network/calico" in rows["networking-calico"]
    assert cli.main(["extension", "list", "-o", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {p["name"] for p in listed["plugins"]} == set(rows)
    assert listed["broken"] == []


def test_bad_arguments_are_refused_before_the_kit_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["extension", "test", "local", "--credential", "no-equals-sign"]) == 2
    assert "is not KEY=VALUE" in capsys.readouterr().err
    assert cli.main(["extension", "test", "local", "--cloud-profile-config", str(tmp_path / "missing.yaml")]) == 2
    assert "No such file" in capsys.readouterr().err
    (tmp_path / "bad.yaml").write_text("a: [\n")
    assert cli.main(["extension", "test", "local", "--cloud-profile-config", str(tmp_path / "bad.yaml")]) == 2
    assert "--cloud-profile-config" in capsys.readouterr().err
