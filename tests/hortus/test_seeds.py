"""``hortus seed register``: a Seed with networks and capacity, its seed identity, and the agent's kubeconfig."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from apiserver import tls
from apiserver.auth import digest
from garden.app import create_app
from garden.auth import identities
from garden.settings import GardenSettings


def test_register_creates_the_seed_its_identity_and_the_agents_kubeconfig(tmp_path: Path) -> None:
    tls.ensure_serving_files(tmp_path, name="garden", hosts=["127.0.0.1"])
    result = subprocess.run(
        [sys.executable, "-m", "hortus.cli", "seed", "register", "--state-dir", str(tmp_path), "--name", "eu-1",
         "--provider", "aws", "--region", "eu-west-1", "--zones", "a,b", "--pods", "10.8.0.0/16",
         "--services", "10.9.0.0/16", "--nodes", "10.7.0.0/16", "--capacity", "30"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    kubeconfig = tmp_path / "seeds" / "eu-1.kubeconfig"
    assert f"--garden-kubeconfig {kubeconfig}" in result.stdout
    assert oct(kubeconfig.stat().st_mode & 0o777) == "0o600"
    config = yaml.safe_load(kubeconfig.read_text())
    assert config["users"][0]["name"] == "gardener.cloud:system:seed:eu-1"
    token = config["users"][0]["user"]["token"]

    _app, api = create_app(GardenSettings(state_dir=tmp_path))
    try:
        seeds = api.registry.get("core.gardener.cloud", "v1beta1", "seeds")
        assert seeds is not None
        seed = api.service.get(seeds, "", "eu-1")
        assert seed["spec"]["provider"] == {"type": "aws", "region": "eu-west-1", "zones": ["a", "b"]}
        assert seed["spec"]["networks"] == {"pods": "10.8.0.0/16", "services": "10.9.0.0/16", "nodes": "10.7.0.0/16"}
        assert seed["status"]["allocatable"]["shoots"] == 30
        resolved = identities.for_engine(api.store.engine).resolve(digest(token))
        assert resolved is not None and resolved[0].name == "gardener.cloud:system:seed:eu-1"
        assert "gardener.cloud:system:seeds" in resolved[0].groups
    finally:
        api.store.engine.dispose()
