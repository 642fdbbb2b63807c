"""Field selectors behave as Kubernetes' fields.ParseSelector does."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from apiserver import errors, labels, selectors

POD = {
    "metadata": {"name": "web-1", "namespace": "shoot--dev--a"},
    "spec": {"nodeName": "node-a", "hostNetwork": True, "priority": 7},
    "status": {"phase": "Running"},
}


def _getter(obj: dict[str, object]) -> Callable[[str], str | None]:
    return lambda path: selectors.field_value(obj, path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", True),
        ("metadata.name=web-1", True),
        ("metadata.name==web-1", True),
        ("metadata.name=web-2", False),
        ("metadata.name!=web-2", True),
        ("metadata.name!=web-1", False),
        ("metadata.name=web-1,status.phase=Running", True),
        ("metadata.name=web-1,status.phase!=Running", False),
        ("spec.hostNetwork=true", True),
        ("spec.priority=7", True),
        ("spec.missing=", True),  # a missing field reads as ""
        ("spec.missing!=x", True),
        ("spec.missing=x", False),
    ],
)
def test_field_selector_matches(text: str, expected: bool) -> None:
    assert selectors.parse_field_selector(text).matches(_getter(POD)) is expected


def test_field_selector_requirements_fold_double_equals() -> None:
    selector = selectors.parse_field_selector("metadata.name==a,metadata.namespace!=b,spec.nodeName=")
    assert selector.requirements == [
        ("metadata.name", "=", "a"),
        ("metadata.namespace", "!=", "b"),
        ("spec.nodeName", "=", ""),
    ]
    assert selector.requirements[0].field == "metadata.name"


def test_field_selector_unescapes_commas_equals_and_backslashes() -> None:
    selector = selectors.parse_field_selector(r"metadata.name=a\,b\=c\\d,status.phase=x")
    assert selector.requirements == [("metadata.name", "=", "a,b=c\\d"), ("status.phase", "=", "x")]
    assert selector.matches({"metadata.name": "a,b=c\\d", "status.phase": "x"}.get)


def test_field_selector_splits_at_first_operator() -> None:
    assert selectors.parse_field_selector("a!=b").requirements == [("a", "!=", "b")]
    assert selectors.parse_field_selector("a==b").requirements == [("a", "=", "b")]


def test_field_selector_ignores_empty_terms_and_does_not_trim() -> None:
    assert selectors.parse_field_selector(",a=b,").requirements == [("a", "=", "b")]
    assert selectors.parse_field_selector("a = b").requirements == [("a ", "=", " b")]
    assert selectors.parse_field_selector("").empty


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
        ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
        ("a=b=c", "invalid field selector: unescaped character in value: ="),
        (r"a=b\x", "invalid field selector: invalid escape sequence: \\x"),
        ("a=b\\", "invalid field selector: invalid escape sequence: \\"),
    ],
)
def test_rejects_malformed_field_selector(text: str, message: str) -> None:
    with pytest.raises(errors.ApiError) as caught:
        selectors.parse_field_selector(text)
    assert (caught.value.code, caught.value.message) == (400, message)


def test_check_fields_refuses_unsupported_field_with_kubernetes_wording() -> None:
    selector = selectors.parse_field_selector("metadata.name=a,spec.bogus=b")
    with pytest.raises(errors.ApiError) as caught:
        selectors.check_fields(selector, {"metadata.name", "spec.seedName"}, "shoots.core.gardener.cloud")
    assert (caught.value.code, caught.value.message) == (400, "field label not supported: spec.bogus")


def test_check_fields_accepts_allowed_fields() -> None:
    selector = selectors.parse_field_selector("metadata.name=a,spec.seedName!=b")
    selectors.check_fields(selector, {"metadata.name", "spec.seedName"}, "shoots.core.gardener.cloud")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("metadata.name", "web-1"),
        ("spec.nodeName", "node-a"),
        ("status.phase", "Running"),
        ("spec.hostNetwork", "true"),
        ("spec.priority", "7"),
        ("spec.missing", None),
        ("spec", None),  # not a scalar
        ("metadata.name.deeper", None),
    ],
)
def test_field_value_reads_dotted_paths(path: str, expected: str | None) -> None:
    assert selectors.field_value(POD, path) == expected


def test_field_value_renders_false() -> None:
    assert selectors.field_value({"spec": {"unschedulable": False}}, "spec.unschedulable") == "false"


def test_label_selector_names_stay_importable_from_selectors() -> None:
    # service, routes, watch, the local seed cluster and the garden scheduler reach labels through selectors.
    assert selectors.parse_label_selector is labels.parse_label_selector
    assert selectors.label_selector_from_json is labels.label_selector_from_json
    assert selectors.LabelSelector is labels.LabelSelector
    assert selectors.Requirement("a", selectors.IN, ("x",)).matches({"a": "x"})
