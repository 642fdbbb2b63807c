"""The OS formats' own validators, unpacked by ``scripts/os-validators`` into ``.cache/os-validators``: cloud-init's
cloud-config JSON schema (validated as cloud-init does, Draft 4) and Ignition's ``ignition-validate``."""

from __future__ import annotations

import functools
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3] / ".cache" / "os-validators"
CLOUD_CONFIG_SCHEMA = ROOT / "usr/lib/python3/dist-packages/cloudinit/config/schemas/schema-cloud-config-v1.json"
IGNITION_VALIDATE = ROOT / "usr/bin/ignition-validate"


def require(path: Path) -> Path:
    if not path.exists():
        message = f"{path} is missing: run scripts/os-validators"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@functools.cache
def _cloud_config_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(require(CLOUD_CONFIG_SCHEMA).read_text())
    return jsonschema.Draft4Validator(schema)


def cloud_config_errors(user_data: str) -> list[str]:
    """What cloud-init's schema finds wrong with a ``#cloud-config`` document (empty: valid)."""
    if not user_data.startswith("#cloud-config\n"):
        return ["the user data does not start with #cloud-config"]
    document: Any = yaml.safe_load(user_data)
    found = _cloud_config_validator().iter_errors(document)
    return sorted(f"{'.'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in found)


def ignition_problems(config: str, tmp_path: Path) -> str:
    """``ignition-validate``'s report on an Ignition config (empty: valid, no warnings)."""
    validate = require(IGNITION_VALIDATE)
    path = tmp_path / "config.ign"
    path.write_text(config)
    done = subprocess.run([str(validate), str(path)], capture_output=True, text=True, timeout=60)
    report = (done.stdout + done.stderr).strip()
    return report or ("" if done.returncode == 0 else f"exit {done.returncode}")
