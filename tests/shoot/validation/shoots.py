"""Valid shoots to break one rule at a time, and assertions on the field errors they produce.

Used by every test module of ``tests/shoot/validation``: the provider-local example (loaded, defaulted, its
version completed as admission would) and a shoot shaped like Gardener's annotated ``90-shoot.yaml``.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import yaml

from shoot import defaults, validation
from shoot.fielderrors import FieldError

EXAMPLES = Path(__file__).parents[2] / "data" / "gardener-examples"
VERSION = "1.33.2"


def local_shoot() -> dict[str, Any]:
    """provider-local's example, defaulted, with the version the admission completes from the CloudProfile."""
    raw = yaml.safe_load((EXAMPLES / "provider-local" / "shoot.yaml").read_text())
    shoot = defaults.default_shoot(raw, rng=random.Random(7))
    shoot["spec"]["kubernetes"]["version"] = VERSION
    return shoot


def botany_shoot() -> dict[str, Any]:
    """A filled-in ``90-shoot.yaml``: three zones, zone HA, DNS, hibernation, rotation, kubelet settings."""
    raw: dict[str, Any] = {
        "apiVersion": "core.gardener.cloud/v1beta1",
        "kind": "Shoot",
        "metadata": {"name": "crazy-botany", "namespace": "garden-dev"},
        "spec": {
            "credentialsBindingName": "my-provider-account",
            "cloudProfile": {"name": "cloudprofile1"},
            "region": "europe-central-1",
            "purpose": "production",
            "provider": {
                "type": "aws",
                "workers": [
                    {
                        "name": "cpu-worker",
                        "minimum": 3,
                        "maximum": 5,
                        "maxSurge": "25%",
                        "maxUnavailable": 0,
                        "priority": 60,
                        "machine": {
                            "type": "m5.large",
                            "image": {"name": "gardenlinux", "version": "1592.1.0"},
                            "architecture": "amd64",
                        },
                        "volume": {"type": "gp2", "size": "20Gi"},
                        "dataVolumes": [{"name": "kubelet-dir", "type": "gp2", "size": "25Gi"}],
                        "kubeletDataVolumeName": "kubelet-dir",
                        "labels": {"pool.example.com/role": "general"},
                        "taints": [{"key": "dedicated", "value": "general", "effect": "NoSchedule"}],
                        "zones": ["europe-central-1a", "europe-central-1b", "europe-central-1c"],
                        "kubernetes": {"version": "1.32.4", "kubelet": {"maxPods": 110, "podPidsLimit": 1024}},
                    }
                ],
            },
            "kubernetes": {
                "version": VERSION,
                "kubeAPIServer": {"requests": {"maxNonMutatingInflight": 400, "maxMutatingInflight": 200}},
                "kubelet": {"imageGCHighThresholdPercent": 50, "imageGCLowThresholdPercent": 40},
            },
            "dns": {"domain": "crazy-botany.core.my-custom-domain.com"},
            "extensions": [{"type": "foobar"}],
            "networking": {
                "type": "calico",
                "ipFamilies": ["IPv4"],
                "pods": "100.96.0.0/11",
                "nodes": "10.250.0.0/16",
                "services": "100.64.0.0/13",
            },
            "maintenance": {
                "timeWindow": {"begin": "220000+0100", "end": "230000+0100"},
                "autoUpdate": {"kubernetesVersion": True, "machineImageVersion": True},
                "autoRotation": {"credentials": {"sshKeypair": {"rotationPeriod": "168h"}}},
            },
            "hibernation": {
                "schedules": [{"start": "0 20 * * MON-FRI", "end": "0 6 * * 1-5", "location": "America/Los_Angeles"}]
            },
            "monitoring": {"alerting": {"emailReceivers": ["john.doe@example.com"]}},
            "tolerations": [{"key": "dedicated.example.com/team", "value": "botany"}],
            "controlPlane": {"highAvailability": {"failureTolerance": {"type": "zone"}}},
        },
    }
    return defaults.default_shoot(raw, rng=random.Random(7))


def copy_of(shoot: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(shoot)


def errors(new: dict[str, Any], *, old: dict[str, Any] | None = None) -> list[FieldError]:
    return validation.validate_shoot(new, old=old)


def assert_only(found: list[FieldError], field: str, *words: str) -> FieldError:
    """Exactly one error, at ``field``, whose message contains every one of ``words``."""
    assert [error.field for error in found] == [field], [str(error) for error in found]
    for word in words:
        assert word in found[0].message, found[0].message
    return found[0]


def at_version(shoot: dict[str, Any], version: str) -> dict[str, Any]:
    """``shoot`` moved to ``version`` and defaulted again, as the admission does on every write."""
    shoot["spec"]["kubernetes"]["version"] = version
    return defaults.default_shoot(shoot)
