"""``hortus --version`` names the installed version, through the real console script."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path


def test_prints_the_installed_version() -> None:
    script = Path(sys.executable).parent / "hortus"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"hortus {metadata.version('hortus')}\n"
