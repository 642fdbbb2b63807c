"""Names and namespaces no object can have — a NUL byte, a lone surrogate, 400 characters — in URLs, selectors
and bodies find nothing (404, an empty list) or are refused (4xx), on SQLite and on PostgreSQL (whose driver
refuses NUL bytes); never a 500, and the audit log keeps a record of the attempt."""

from __future__ import annotations

import pytest

from tests.support.hostile import Target, refused

ODD = ["%00", "a%00b", "%ED%A0%80", "%F0%9F%92%A9", "a" * 400, "%FF"]


@pytest.mark.parametrize("odd", ODD)
def test_odd_names_in_urls_find_nothing(garden_on: Target, odd: str) -> None:
    target = garden_on
    garden_on.create_configmap("pathed") if target.client.get(target.configmaps("pathed")).status_code == 404 else None
    before = target.snapshot()
    refused(target.client.get(f"/api/v1/namespaces/{odd}"), 404, "NotFound")
    refused(target.client.get(target.configmaps(odd)), 404, "NotFound")
    resp = target.client.get(f"/api/v1/namespaces/{odd}/configmaps")
    assert resp.status_code == 200 and resp.json()["items"] == []
    resp = target.client.get(target.configmaps() + f"?fieldSelector=metadata.name%3D{odd}")
    assert resp.status_code == 200 and resp.json()["items"] == []
    refused(target.client.delete(target.configmaps(odd)), 404, "NotFound")
    refused(target.client.put(target.configmaps(odd), json=target.configmap("x")), 400, "BadRequest")
    refused(target.client.patch(target.configmaps(odd), json={"data": {"a": "b"}},
                                headers={"Content-Type": "application/merge-patch+json"}), 404, "NotFound")
    resp = target.client.post(f"/api/v1/namespaces/{odd}/configmaps", json=target.configmap("x"))
    assert resp.status_code in (400, 404, 422), resp.text
    assert target.snapshot() == before


def test_nul_bytes_inside_objects_are_stored_escaped_and_served_back(garden_on: Target) -> None:
    target = garden_on
    resp = target.client.post(target.configmaps(), content=b'{"metadata":{"name":"nul","annotations":{"a":"\\u0000"}}'
                              b',"data":{"k":"a\\u0000b"}}', headers={"Content-Type": "application/json"})
    assert resp.status_code == 201, resp.text
    assert target.client.get(target.configmaps("nul")).json()["data"] == {"k": "a\x00b"}
    assert target.client.delete(target.configmaps("nul")).status_code == 200


def test_the_audit_log_records_attempts_on_odd_names(garden_on: Target) -> None:
    target = garden_on
    refused(target.client.delete(target.configmaps("%00")), 404, "NotFound")
    resp = target.client.get("/audit/v1/events", params={"verb": "delete", "limit": "5"})
    assert resp.status_code == 200, resp.text
    assert any(e["name"] == "\\x00" and e["code"] == 404 for e in resp.json()["items"]), resp.text
    assert target.client.get("/audit/v1/events", params={"name": "\x00"}).status_code == 200
