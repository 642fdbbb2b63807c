from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from apiserver import errors, tables
from apiserver.registry import PrinterColumn, ResourceType

NOW = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)
KUBECTL_TABLE_ACCEPT = (
    "application/json;as=Table;v=v1;g=meta.k8s.io,"
    "application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
    "application/json"
)

WIDGETS = ResourceType(
    group="test.hortus.dev",
    version="v1alpha1",
    kind="Widget",
    plural="widgets",
    namespaced=True,
    printer_columns=(
        PrinterColumn(name="Region", path=".spec.region", description="where"),
        PrinterColumn(name="Ready", path='.status.conditions[?(@.type=="Ready")].status'),
        PrinterColumn(name="Workers", path=".spec.workers", type="integer", priority=1),
        PrinterColumn(name="First", path=".spec.zones[0]", priority=1),
        PrinterColumn(name="Updated", path=".status.lastUpdate", type="date", priority=1),
    ),
)


def widget(name: str = "w1", **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "test.hortus.dev/v1alpha1",
        "kind": "Widget",
        "metadata": {
            "name": name,
            "namespace": "dev",
            "uid": "u-1",
            "resourceVersion": "7",
            "labels": {"env": "dev"},
            "creationTimestamp": "2026-11-22T11:59:13Z",
        },
        "spec": {"region": "eu-1", "workers": 3, "zones": ["a", "b"]},
        "status": {
            "conditions": [{"type": "Healthy", "status": "False"}, {"type": "Ready", "status": "True"}],
            "lastUpdate": "2026-11-20T08:00:00Z",
        },
    }
    obj.update(extra)
    return obj


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(0), "0s"),
        (timedelta(seconds=-1.5), "0s"),
        (timedelta(seconds=-2), "<invalid>"),
        (timedelta(seconds=59.9), "59s"),
        (timedelta(seconds=119), "119s"),
        (timedelta(minutes=2), "2m"),
        (timedelta(minutes=2, seconds=3), "2m3s"),
        (timedelta(minutes=9, seconds=59), "9m59s"),
        (timedelta(minutes=10, seconds=30), "10m"),
        (timedelta(minutes=179), "179m"),
        (timedelta(hours=3), "3h"),
        (timedelta(hours=3, minutes=5), "3h5m"),
        (timedelta(hours=7, minutes=59), "7h59m"),
        (timedelta(hours=8, minutes=30), "8h"),
        (timedelta(hours=47), "47h"),
        (timedelta(hours=48), "2d"),
        (timedelta(days=2, hours=4), "2d4h"),
        (timedelta(days=7, hours=23), "7d23h"),
        (timedelta(days=8, hours=5), "8d"),
        (timedelta(days=729), "729d"),
        (timedelta(days=730), "2y"),
        (timedelta(days=731), "2y1d"),
        (timedelta(days=365 * 8), "8y"),
    ],
)
def test_human_duration_matches_kubernetes(delta: timedelta, expected: str) -> None:
    assert tables.human_duration(delta) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (KUBECTL_TABLE_ACCEPT, True),
        ("application/json;as=Table;v=v1beta1;g=meta.k8s.io", True),
        ("application/json", False),
        ("application/json, */*", False),
        ("", False),
        ("application/json,application/json;as=Table;v=v1;g=meta.k8s.io", False),
        ("application/json;as=Table;v=v2;g=meta.k8s.io,application/json", False),
        (
            "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io",
            True,
        ),
    ],
)
def test_wants_table(accept: str, expected: bool) -> None:
    assert tables.wants_table(accept) is expected


def table(objects: list[dict[str, Any]], rt: ResourceType = WIDGETS, **kwargs: Any) -> dict[str, Any]:
    options: dict[str, Any] = {"resource_version": "42", "continue_token": None, "now": NOW, **kwargs}
    return tables.table(rt, objects, **options)


def test_columns_are_name_then_kind_columns_with_age_before_wide_ones() -> None:
    body = table([widget()])
    assert (body["kind"], body["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    defs = body["columnDefinitions"]
    assert [c["name"] for c in defs] == ["Name", "Region", "Ready", "Age", "Workers", "First", "Updated"]
    assert defs[0]["format"] == "name"
    assert [c["priority"] for c in defs] == [0, 0, 0, 0, 1, 1, 1]
    assert defs[1]["description"] == "where"
    assert defs[2]["description"].endswith('.status.conditions[?(@.type=="Ready")].status')
    assert (defs[3]["type"], defs[4]["type"]) == ("date", "integer")


def test_cells_are_evaluated_from_column_paths() -> None:
    [row] = table([widget()])["rows"]
    assert row["cells"] == ["w1", "eu-1", "True", "47s", 3, "a", "2d4h"]


def test_missing_values_are_empty_cells() -> None:
    bare = {"metadata": {"name": "w2", "creationTimestamp": "2026-11-22T09:00:00Z"}, "spec": {}}
    [row] = table([bare])["rows"]
    assert row["cells"] == ["w2", None, None, "3h", None, None, None]


def test_kind_without_columns_gets_name_and_age() -> None:
    plain = ResourceType(group="", version="v1", kind="Secret", plural="secrets", namespaced=True)
    body = table([widget()], rt=plain)
    assert [c["name"] for c in body["columnDefinitions"]] == ["Name", "Age"]
    assert body["rows"][0]["cells"] == ["w1", "47s"]


def test_kind_with_its_own_age_column_keeps_it() -> None:
    own = ResourceType(
        group="g.dev",
        version="v1",
        kind="K",
        plural="ks",
        namespaced=False,
        printer_columns=(
            PrinterColumn(name="Age", path=".metadata.creationTimestamp", type="date"),
            PrinterColumn(name="Phase", path=".status.phase"),
        ),
    )
    body = table([widget(status={"phase": "Running"})], rt=own)
    assert [c["name"] for c in body["columnDefinitions"]] == ["Name", "Age", "Phase"]
    assert body["rows"][0]["cells"] == ["w1", "47s", "Running"]


def test_rows_carry_partial_object_metadata_by_default() -> None:
    [row] = table([widget()])["rows"]
    assert row["object"] == {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": widget()["metadata"],
    }


def test_rows_carry_the_full_object_with_kind_when_asked() -> None:
    obj = widget()
    del obj["kind"]
    [row] = table([obj], include_object="Object")["rows"]
    assert row["object"]["kind"] == "Widget"
    assert row["object"]["apiVersion"] == "test.hortus.dev/v1alpha1"
    assert row["object"]["spec"] == obj["spec"]


def test_rows_carry_no_object_for_none() -> None:
    [row] = table([widget()], include_object="None")["rows"]
    assert "object" not in row


def test_rejects_unknown_include_object() -> None:
    with pytest.raises(errors.ApiError) as info:
        table([widget()], include_object="Everything")
    assert info.value.code == 400


def test_metadata_carries_resource_version_and_continue() -> None:
    assert table([])["metadata"] == {"resourceVersion": "42"}
    assert table([], continue_token="MQ==")["metadata"] == {"resourceVersion": "42", "continue": "MQ=="}
    assert table([])["rows"] == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (".spec.region", "eu-1"),
        ("{.spec.region}", "eu-1"),
        (".spec.zones[1]", "b"),
        (".spec.zones[-1]", "b"),
        (".spec.zones[5]", None),
        (".spec.zones", '["a","b"]'),
        (".status.conditions[?(@.type=='Healthy')].status", "False"),
        ('.status.conditions[?(@.type!="Healthy")].type', "Ready"),
        ('.status.conditions[?(@.type=="Missing")].status', None),
        (".status.conditions[*].type", "Healthy"),
        (".metadata.labels.env", "dev"),
        (".metadata.annotations.a\\.b/c", "x"),
        (".metadata.annotations['a.b/c']", "x"),
        (".spec.region.nested", None),
        (".spec.workers", "3"),
        (".spec..bad", None),
    ],
)
def test_string_cells_of_paths(path: str, expected: str | None) -> None:
    obj = widget()
    obj["metadata"]["annotations"] = {"a.b/c": "x"}
    assert tables.cell(obj, PrinterColumn(name="C", path=path), now=NOW) == expected


@pytest.mark.parametrize(
    ("column_type", "value", "expected"),
    [
        ("integer", 3, 3),
        ("integer", 2.0, 2),
        ("integer", "3", None),
        ("integer", True, None),
        ("number", 2, 2.0),
        ("boolean", False, False),
        ("boolean", "true", None),
        ("string", True, "true"),
        ("date", "2026-11-22T11:57:00Z", "3m"),
        ("date", "yesterday", "<invalid>"),
        ("date", 5, None),
    ],
)
def test_typed_cells(column_type: str, value: Any, expected: Any) -> None:
    column = PrinterColumn(name="C", path=".spec.value", type=column_type)
    assert tables.cell({"spec": {"value": value}}, column, now=NOW) == expected
