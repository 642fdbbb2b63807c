"""Label and field selectors behave as Kubernetes' labels.Parse and fields.ParseSelector do."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from apiserver import errors, selectors

LABELS = {"env": "dev", "tier": "web", "app.kubernetes.io/name": "shop", "idx": "2", "blank": ""}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", True),
        ("   ", True),
        ("env=dev", True),
        ("env==dev", True),
        ("env=prod", False),
        ("env!=prod", True),
        ("env!=dev", False),
        ("missing!=x", True),  # != matches objects without the key
        ("missing=x", False),
        ("env in (dev,prod)", True),
        ("env in ( prod , dev )", True),
        ("env in (prod)", False),
        ("missing in (dev)", False),
        ("env notin (prod,qa)", True),
        ("env notin (dev)", False),
        ("missing notin (dev)", True),  # notin matches objects without the key
        ("env", True),
        ("missing", False),
        ("!missing", True),
        ("!env", False),
        ("app.kubernetes.io/name=shop", True),
        ("app.kubernetes.io/name in (shop)", True),
        ("app.kubernetes.io/name!=shop", False),
        ("env=dev,tier=web", True),
        ("env=dev,tier=db", False),
        (" env = dev , tier in (web) , !missing ", True),
        ("env=dev,idx in (1,2),!foo", True),  # what kubectl -l sends
        ("blank=", True),
        ("blank in (,x)", True),
        ("blank in ()", True),
        ("env=", False),
        ("idx>1", True),
        ("idx>2", False),
        ("idx<3", True),
        ("env>1", False),  # a non-integer label never compares
        ("missing<3", False),
    ],
)
def test_label_selector_matches_like_kubernetes(text: str, expected: bool) -> None:
    assert selectors.parse_label_selector(text).matches(LABELS) is expected


def test_empty_label_selector_is_empty_and_matches_no_labels_at_all() -> None:
    selector = selectors.parse_label_selector("")
    assert selector.empty
    assert selector.matches(None)
    assert not selectors.parse_label_selector("a").empty


def test_keywords_are_plain_identifiers_where_keys_and_values_are_expected() -> None:
    assert selectors.parse_label_selector("in=notin").matches({"in": "notin"})
    assert selectors.parse_label_selector("x in (in,notin)").matches({"x": "in"})


def test_parsed_label_selector_keeps_sorted_requirements_and_renders_back() -> None:
    selector = selectors.parse_label_selector("tier in (web,api),!foo,env=dev,a")
    assert [r.key for r in selector.requirements] == ["a", "env", "foo", "tier"]
    assert selector.requirements[3] == selectors.Requirement("tier", selectors.IN, ("api", "web"))
    assert str(selector) == "a,env=dev,!foo,tier in (api,web)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("env in (dev", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("env in dev", "unable to parse requirement: found 'dev' expected: '('"),
        ("env dev", "unable to parse requirement: found 'dev', expected: in, notin, =, ==, !=, gt, lt"),
        ("env=dev=x", "found '=', expected: ',' or 'end of string'"),
        ("env=dev extra", "found 'extra', expected: ',' or 'end of string'"),
        ("=dev", "found '=', expected: !, identifier, or 'end of string'"),
        ("env=dev,", "found '', expected: identifier after ','"),
        ("!env=dev", "found '=', expected: ',' or 'end of string'"),
        ("env=(dev)", "unable to parse requirement: found '(', expected: identifier"),
        ("env in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
        ("idx>one", "unable to parse requirement: values[0]: Invalid value: \"one\": "
                    "for 'Gt', 'Lt' operators, the value must be an integer"),
    ],
)
def test_rejects_malformed_label_selector(text: str, message: str) -> None:
    with pytest.raises(errors.ApiError) as caught:
        selectors.parse_label_selector(text)
    assert (caught.value.code, caught.value.reason) == (400, "BadRequest")
    assert caught.value.message == message


def test_rejects_invalid_label_key_with_kubernetes_wording() -> None:
    with pytest.raises(errors.ApiError) as caught:
        selectors.parse_label_selector("Bad_=x")
    assert caught.value.message == (
        "unable to parse requirement: <nil>: Invalid value: \"Bad_\": name part must consist of alphanumeric "
        "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
        "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Example.com/name=x", "prefix part a lowercase RFC 1123 subdomain"),
        ("/name=x", "prefix part must be non-empty"),
        ("a/b/c=x", "a qualified name must consist of"),
        ("example.com/=x", "name part must be non-empty"),
        (f"{'k' * 64}=x", "name part must be no more than 63 characters"),
    ],
)
def test_rejects_invalid_label_key_forms(text: str, fragment: str) -> None:
    with pytest.raises(errors.ApiError, match="unable to parse requirement") as caught:
        selectors.parse_label_selector(text)
    assert fragment in caught.value.message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("env=-dev", "a valid label must be an empty string"),
        ("env!=dev-", "a valid label must be an empty string"),
        ("env in (ok,d@v)", 'values[1][env]: Invalid value: "d@v"'),
        (f"env={'x' * 64}", "must be no more than 63 characters"),
    ],
)
def test_rejects_invalid_label_value(text: str, fragment: str) -> None:
    with pytest.raises(errors.ApiError) as caught:
        selectors.parse_label_selector(text)
    assert caught.value.code == 400
    assert fragment in caught.value.message


def test_reports_label_value_error_with_its_path() -> None:
    with pytest.raises(errors.ApiError) as caught:
        selectors.parse_label_selector("env=-dev")
    assert caught.value.message.startswith(
        'unable to parse requirement: values[0][env]: Invalid value: "-dev": a valid label must be an empty '
        "string or consist of alphanumeric characters"
    )


def test_accepts_longest_valid_label_value() -> None:
    assert selectors.parse_label_selector(f"env={'v' * 63}").matches({"env": "v" * 63})


# --- metav1.LabelSelector -----------------------------------------------------------------------------


@pytest.mark.parametrize("sel", [None, {}, {"matchLabels": {}}, {"matchLabels": {}, "matchExpressions": []}])
def test_missing_or_empty_json_selector_matches_everything(sel: dict[str, object] | None) -> None:
    selector = selectors.label_selector_from_json(sel)
    assert selector.empty
    assert selector.matches({"anything": "goes"})


@pytest.mark.parametrize(
    ("expression", "labels", "expected"),
    [
        ({"key": "env", "operator": "In", "values": ["dev", "qa"]}, {"env": "qa"}, True),
        ({"key": "env", "operator": "In", "values": ["dev"]}, {"env": "prod"}, False),
        ({"key": "env", "operator": "NotIn", "values": ["prod"]}, {}, True),
        ({"key": "env", "operator": "NotIn", "values": ["prod"]}, {"env": "prod"}, False),
        ({"key": "env", "operator": "Exists"}, {"env": ""}, True),
        ({"key": "env", "operator": "Exists"}, {}, False),
        ({"key": "env", "operator": "DoesNotExist"}, {}, True),
        ({"key": "a.example.com/eu", "operator": "DoesNotExist"}, {"a.example.com/eu": "1"}, False),
    ],
)
def test_json_selector_match_expressions(expression: dict[str, object], labels: dict[str, str],
                                         expected: bool) -> None:
    selector = selectors.label_selector_from_json({"matchExpressions": [expression]})
    assert selector.matches(labels) is expected


def test_json_selector_ands_match_labels_and_expressions() -> None:
    selector = selectors.label_selector_from_json({
        "matchLabels": {"app": "web"},
        "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}],
    })
    assert selector.matches({"app": "web"})
    assert selector.matches({"app": "web", "tier": "front"})
    assert not selector.matches({"app": "web", "tier": "db"})
    assert not selector.matches({"tier": "front"})


@pytest.mark.parametrize(
    ("sel", "fragment"),
    [
        ({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]},
         '"Equals" is not a valid label selector operator'),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]},
         "values set can't be empty"),
        ({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
         "values set must be empty for exists and does not exist"),
        ({"matchExpressions": [{"key": "Bad_", "operator": "Exists"}]}, 'key: Invalid value: "Bad_"'),
        ({"matchLabels": {"a": "-x"}}, 'values[0][a]: Invalid value: "-x"'),
        ({"matchLabels": {"a": 1}}, "must be a string"),
        ({"matchLabels": ["a"]}, "must be an object"),
        ({"matchExpressions": {"key": "a"}}, "must be a list"),
    ],
)
def test_rejects_invalid_json_selector(sel: dict[str, object], fragment: str) -> None:
    with pytest.raises(errors.ApiError) as caught:
        selectors.label_selector_from_json(sel)
    assert caught.value.code == 400
    assert fragment in caught.value.message


# --- field selectors ----------------------------------------------------------------------------------


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
