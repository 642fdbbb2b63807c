"""The control plane with its PKI: what to store once and never again, and the pods' view of the stored secrets."""

from __future__ import annotations

import datetime as dt

from shoot.controlplane import apiserver, secrets
from shoot.controlplane.spec import ControlPlane
from shoot.pki import certs, plan

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
CP = ControlPlane(namespace="shoot--dev--a", version="1.32.8", api_hostname="api.a.dev.internal.example.com")
ADVERTISED = ("https://api.a.dev.example.com", "https://10.1.2.3/path", "https://[fd00::5]:443")


def test_advertised_addresses_end_up_in_the_serving_certificate() -> None:
    stored = secrets.to_store(CP, [], advertised=ADVERTISED, now=NOW)
    server = next(s for s in stored if s["metadata"]["name"] == "kube-apiserver")
    dns, ips = certs.sans(certs.load(plan.decode(server)["tls.crt"]))  # type: ignore[arg-type]
    assert {"api.a.dev.internal.example.com", "api.a.dev.example.com"} <= dns
    assert {"10.1.2.3", "fd00::5", "100.64.0.1"} <= ips


def test_what_is_stored_once_is_not_stored_again() -> None:
    stored = secrets.to_store(CP, [], advertised=ADVERTISED, now=NOW)
    assert len(stored) > 20
    assert secrets.to_store(CP, stored, advertised=ADVERTISED, now=NOW + dt.timedelta(days=30)) == []


def test_pods_probe_with_the_stored_token_and_roll_with_the_stored_secrets() -> None:
    stored = secrets.to_store(CP, [], now=NOW)
    cp = secrets.with_secrets(CP, stored)
    token = plan.health_check_token(plan.stored(stored))
    container = apiserver.deployment(cp)["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"]["httpGet"]["httpHeaders"][0]["value"] == f"Bearer {token}"
    annotations = apiserver.deployment(cp)["spec"]["template"]["metadata"]["annotations"]
    assert annotations["checksum/secret-kube-apiserver"] == plan.checksums(plan.stored(stored))["kube-apiserver"]
