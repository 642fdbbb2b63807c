"""``kubectl logs``, ``exec``, ``attach`` and ``port-forward`` against the local seed cluster's simulated pods."""

from __future__ import annotations

import ssl
import subprocess

import httpx

from apiserver.server import ApiServer
from tests.e2e.kubectl import Kubectl
from tests.support.servers import RunningServer

POD = """
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default}
spec:
  containers:
  - {name: nginx, image: "nginx:1.27"}
  - {name: sidecar, image: "busybox:1.36"}
"""


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def _running(kubectl: Kubectl) -> None:
    ok(kubectl("apply", "-f", "-", stdin=POD))
    ok(kubectl("wait", "pod/web", "--for=condition=Ready", "--timeout=60s"))


def test_kubectl_logs_tells_what_the_simulated_kubelet_did(kubectl: Kubectl) -> None:
    _running(kubectl)
    out = ok(kubectl("logs", "web", "-c", "nginx"))
    assert "container nginx started from image nginx:1.27" in out and "simulated" in out
    assert "container nginx is ready" in out
    stamped = ok(kubectl("logs", "web", "-c", "sidecar", "--timestamps", "--tail=1"))
    assert stamped.count("\n") == 1 and stamped.split(" ", 1)[0].endswith("Z")
    assert "container sidecar is ready" in stamped


def test_kubectl_logs_refuses_as_kubernetes_does(kubectl: Kubectl) -> None:
    _running(kubectl)
    done = kubectl("logs", "web", "-c", "nope")
    assert done.returncode != 0 and "container nope is not valid for pod web" in done.stderr
    done = kubectl("logs", "web", "-c", "nginx", "--previous")
    assert done.returncode != 0 and 'previous terminated container "nginx" in pod "web" not found' in done.stderr
    done = kubectl("logs", "nowhere")
    assert done.returncode != 0 and 'pods "nowhere" not found' in done.stderr


def test_exec_attach_and_port_forward_are_refused_with_a_reason(kubectl: Kubectl) -> None:
    _running(kubectl)
    for args in (("exec", "web", "-c", "nginx", "--", "true"), ("attach", "web", "-c", "nginx"),
                 ("port-forward", "pod/web", "18080:80")):
        done = kubectl(*args, timeout=30)
        assert done.returncode != 0, args
        assert "simulates its pods and runs no processes" in done.stderr, (args, done.stderr)


def test_raw_log_requests_without_a_container_and_with_bad_options(seed: tuple[RunningServer, ApiServer],
                                                                    kubectl: Kubectl) -> None:
    _running(kubectl)
    server, _ = seed
    context = ssl.create_default_context(cafile=str(server.ca_file))
    with httpx.Client(base_url=server.url, verify=context, headers={"Authorization": f"Bearer {server.token}"}) as c:
        resp = c.get("/api/v1/namespaces/default/pods/web/log")
        assert resp.status_code == 400
        assert resp.json()["message"] == ("a container name must be specified for pod web, choose one of: "
                                          "[nginx sidecar]")
        for bad in ("tailLines=-1", "tailLines=x", "follow=maybe", "limitBytes=1e3"):
            resp = c.get(f"/api/v1/namespaces/default/pods/web/log?container=nginx&{bad}")
            assert resp.status_code == 400 and resp.json()["kind"] == "Status", bad
        resp = c.get("/api/v1/namespaces/default/pods/web/log?container=nginx&limitBytes=10")
        assert resp.status_code == 200 and len(resp.content) == 10
        resp = c.get("/api/v1/namespaces/default/pods/web/log?container=nginx", headers={"Authorization": "Bearer x"})
        assert resp.status_code == 401
