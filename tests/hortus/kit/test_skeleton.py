"""``hortus extension new demo``, ``pip install -e ./demo``, ``hortus extension test demo``: the skeleton is a working
plugin package that passes the conformance kit unmodified, is listed once installed (and reported with the reason
once broken), and its own test suite runs the kit through the pytest fixture.

The package is installed into a throw-away virtual environment that sees the project's packages (a ``.pth`` line),
so the project's environment is never changed.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from extensions.contract import SHOOT_PROVIDER_CONFIG, Kind
from hortus.kit import skeleton

HORTUS = [sys.executable, "-m", "hortus.cli"]


def _run(argv: list[str], *, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def _venv(where: Path) -> Path:
    """A virtual environment at ``where`` that sees this project's site-packages; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120)
    python = where / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    project = sysconfig.get_paths()["purelib"]
    Path(purelib, "_hortus_project.pth").write_text(f"import site; site.addsitedir({project!r})\n")
    return python


def _pip_install(python: Path, package: Path, *, cwd: Path) -> subprocess.CompletedProcess[str]:
    # Without build isolation when the project's setuptools builds wheels itself (fast, offline); else pip fetches
    # a build backend, as it would for any user.
    wheels = importlib.util.find_spec("wheel") is not None or importlib.util.find_spec(
        "setuptools.command.bdist_wheel") is not None
    isolation = ["--no-build-isolation"] if wheels else []
    return _run([str(python), "-m", "pip", "install", "-q", "--no-deps", *isolation, "-e", str(package)], cwd=cwd)


@pytest.mark.timeout(900)  # a dozen interpreter start-ups and two local seed clusters on a busy machine
def test_new_install_test_list_uninstall(tmp_path: Path) -> None:
    created = _run([*HORTUS, "extension", "new", "demo"], cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert "pip install -e" in created.stdout
    package = tmp_path / "demo"
    assert (package / "pyproject.toml").is_file() and (package / "README.md").is_file()
    assert (package / "src" / "hortus_ext_demo" / "schema.json").is_file()
    assert list((package / "tests").glob("test_*.py"))

    python = _venv(tmp_path / "venv")
    installed = _pip_install(python, package, cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    listed = _run([str(python), "-m", "hortus.cli", "extension", "list", "-o", "json"], cwd=tmp_path)
    plugins = {p["name"]: p for p in json.loads(listed.stdout)["plugins"]}
    assert plugins["demo"]["resources"] == [{"kind": "Extension", "type": "demo", "primary": True,
                                             "providerConfigSchema": True}]
    assert {"provider-local", "os-ubuntu"} <= set(plugins)

    tested = _run([str(python), "-m", "hortus.cli", "extension", "test", "demo"], cwd=tmp_path)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "PASS Extension/demo delete cleans up" in tested.stdout and tested.stdout.strip().endswith("6 passed")

    # The package's own tests: its schema, and the kit through the hortus_conformance fixture.
    own = _run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=package)
    assert own.returncode == 0, own.stdout + own.stderr
    assert "3 passed" in own.stdout

    # A plugin broken by its author is listed with the reason.
    init = package / "src" / "hortus_ext_demo" / "__init__.py"
    init.write_text(init.read_text().replace('name="demo"', 'name="Demo!"'))
    broken = _run([str(python), "-m", "hortus.cli", "extension", "list"], cwd=tmp_path)
    assert "BROKEN Demo!: name 'Demo!' is not a DNS label" in broken.stdout, broken.stdout

    removed = _run([str(python), "-m", "pip", "uninstall", "-y", "-q", "hortus-extension-demo"], cwd=tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert "demo" not in _run([str(python), "-m", "hortus.cli", "extension", "list"], cwd=tmp_path).stdout


def test_names_that_cannot_be_plugins_are_refused(tmp_path: Path) -> None:
    for name in ("Demo", "1demo", "de_mo", "x" * 41):
        with pytest.raises(skeleton.SkeletonError, match="is not a plugin name"):
            skeleton.create(name, parent=tmp_path)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("x")
    with pytest.raises(skeleton.SkeletonError, match="exists and is not empty"):
        skeleton.create("taken", parent=tmp_path)
    refused = _run([*HORTUS, "extension", "new", "Demo"], cwd=tmp_path)
    assert refused.returncode == 2 and "is not a plugin name" in refused.stderr


@pytest.mark.parametrize(("name", "kind"), [("clean-one", Kind.EXTENSION), ("clean-one", Kind.INFRASTRUCTURE),
                                            ("a-name-of-the-longest-allowed-length-4ch", Kind.OPERATING_SYSTEM_CONFIG)])
def test_the_skeleton_is_clean_code(tmp_path: Path, name: str, kind: Kind) -> None:
    package = skeleton.create(name, parent=tmp_path, kind=kind)
    linted = _run([sys.executable, "-m", "ruff", "check", "--no-cache", "--line-length", "120",
                   "--select", "E,F,W,I,B,UP,SIM,RUF,N,C4,PIE,RET", "."], cwd=package)
    assert linted.returncode == 0, linted.stdout
    init = (package / "src" / skeleton.package_name(name) / "__init__.py").read_text()
    assert f"kind=Kind.{kind.name}," in init
    readme = (package / "README.md").read_text()
    assert SHOOT_PROVIDER_CONFIG[kind] in readme
