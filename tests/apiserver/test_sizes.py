"""Kubernetes' size limits on the garden and the local seed: request bodies over 3 MiB are refused with 413 before
they are read whole, annotations over 256 KiB and ConfigMap or Secret data over 1 MiB with 422."""

from __future__ import annotations

import base64
import json
import socket
import ssl
from collections.abc import Iterator

from tests.support.hostile import Target, refused

MIB = 1024 * 1024
LIMIT = 3 * MIB


def test_a_body_over_3_mib_is_refused_with_413(target: Target) -> None:
    before = target.snapshot()
    body = target.configmap("huge", data={"k": "x" * (LIMIT + 10)})
    status = refused(target.client.post(target.configmaps(), json=body), 413, "RequestEntityTooLarge")
    assert status["message"] == f"Request entity too large: limit is {LIMIT}"
    for _ in range(3):  # 10 MB and more: each refused the same, and the server stays well
        refused(target.client.post(target.configmaps(), content=b"{" + b" " * (10 * MIB) + b"}",
                                   headers={"Content-Type": "application/json"}), 413, "RequestEntityTooLarge")
    assert target.snapshot() == before and target.healthy()


def test_a_chunked_body_is_refused_once_it_passes_the_limit(target: Target) -> None:
    before = target.snapshot()
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        text = json.dumps(target.configmap("chunked", data={"k": "x" * (LIMIT * 2)})).encode()
        for start in range(0, len(text), 64 * 1024):
            sent += 64 * 1024
            yield text[start:start + 64 * 1024]

    resp = target.client.post(target.configmaps(), content=chunks(), headers={"Content-Type": "application/json"})
    refused(resp, 413, "RequestEntityTooLarge")
    assert target.snapshot() == before and target.healthy()


def test_an_announced_length_over_the_limit_is_answered_before_the_body_is_sent(target: Target) -> None:
    """Content-Length of 1 GB and only a few bytes sent: the 413 comes back at once, nothing is buffered."""
    url = target.server.url.removeprefix("https://")
    host, port = url.split(":")
    context = ssl.create_default_context(cafile=str(target.server.ca_file))
    with socket.create_connection((host, int(port)), timeout=30) as raw, \
            context.wrap_socket(raw, server_hostname=host) as tls:
        tls.sendall((f"POST {target.configmaps()} HTTP/1.1\r\nHost: {url}\r\n"
                     f"Authorization: Bearer {target.server.token}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {10**9}\r\n\r\n{{").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = tls.recv(4096)
            assert chunk, head
            head += chunk
    assert head.startswith(b"HTTP/1.1 413"), head
    assert target.healthy()


def test_annotations_over_256_kib_are_invalid(target: Target) -> None:
    before = target.snapshot()
    body = target.configmap("annotated")
    body["metadata"]["annotations"] = {"big": "x" * (300 * 1024)}
    status = refused(target.client.post(target.configmaps(), json=body), 422, "Invalid", field="metadata.annotations")
    assert "metadata.annotations: Too long: must have at most 262144 bytes" in status["message"]
    cause = status["details"]["causes"][0]
    assert cause["reason"] == "FieldValueTooLong"
    target.create_configmap("annotated")
    resp = target.client.patch(target.configmaps("annotated"), json={"metadata": {"annotations": {
        "a": "x" * (200 * 1024), "b": "y" * (60 * 1024)}}}, headers={"Content-Type": "application/merge-patch+json"})
    refused(resp, 422, "Invalid", field="metadata.annotations")
    fits = {"metadata": {"annotations": {"a": "x" * (200 * 1024)}}}
    resp = target.client.patch(target.configmaps("annotated"), json=fits,
                               headers={"Content-Type": "application/merge-patch+json"})
    assert resp.status_code == 200, resp.text[:300]
    assert set(target.snapshot()) == set(before) | {"annotated"}
    assert target.client.delete(target.configmaps("annotated")).status_code == 200


def test_configmap_data_over_1_mib_is_invalid(target: Target) -> None:
    before = target.snapshot()
    body = target.configmap("bigdata", data={"a": "x" * (600 * 1024), "b": "y" * (500 * 1024)})
    status = refused(target.client.post(target.configmaps(), json=body), 422, "Invalid")
    assert "[]: Too long: must have at most 1048576 bytes" in status["message"]
    binary = target.configmap("bigbinary", data={"a": "x" * (600 * 1024)},
                              binaryData={"b": base64.b64encode(b"\0" * (500 * 1024)).decode()})
    refused(target.client.post(target.configmaps(), json=binary), 422, "Invalid")
    assert target.snapshot() == before
    fits = target.configmap("fits", data={"a": "x" * (1024 * 1024 - 10)})
    assert target.client.post(target.configmaps(), json=fits).status_code == 201
    assert target.client.delete(target.configmaps("fits")).status_code == 200


def test_secret_data_over_1_mib_is_invalid(target: Target) -> None:
    path = f"/api/v1/namespaces/{target.namespace}/secrets"
    before = target.client.get(path).json()["items"]
    data = {"a": base64.b64encode(b"x" * (700 * 1024)).decode(), "b": base64.b64encode(b"y" * (400 * 1024)).decode()}
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "big"}, "data": data}
    status = refused(target.client.post(path, json=secret), 422, "Invalid", field="data")
    assert "data: Too long: must have at most 1048576 bytes" in status["message"]
    string_data = {**secret, "data": {}, "stringData": {"a": "x" * (1100 * 1024)}}
    refused(target.client.post(path, json=string_data), 422, "Invalid", field="data")
    assert target.client.get(path).json()["items"] == before
