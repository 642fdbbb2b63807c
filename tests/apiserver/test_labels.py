"""Label selectors behave as Kubernetes' labels.Parse and metav1.LabelSelectorAsSelector do."""

from __future__ import annotations

import pytest

from apiserver import errors, labels

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
    assert labels.parse_label_selector(text).matches(LABELS) is expected


def test_empty_label_selector_is_empty_and_matches_no_labels_at_all() -> None:
    selector = labels.parse_label_selector("")
    assert selector.empty
    assert selector.matches(None)
    assert not labels.parse_label_selector("a").empty


def test_keywords_are_plain_identifiers_where_keys_and_values_are_expected() -> None:
    assert labels.parse_label_selector("in=notin").matches({"in": "notin"})
    assert labels.parse_label_selector("x in (in,notin)").matches({"x": "in"})


def test_parsed_label_selector_keeps_sorted_requirements_and_renders_back() -> None:
    selector = labels.parse_label_selector("tier in (web,api),!foo,env=dev,a")
    assert [r.key for r in selector.requirements] == ["a", "env", "foo", "tier"]
    assert selector.requirements[3] == labels.Requirement("tier", labels.IN, ("api", "web"))
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
        labels.parse_label_selector(text)
    assert (caught.value.code, caught.value.reason) == (400, "BadRequest")
    assert caught.value.message == message


def test_rejects_invalid_label_key_with_kubernetes_wording() -> None:
    with pytest.raises(errors.ApiError) as caught:
        labels.parse_label_selector("Bad_=x")
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
        labels.parse_label_selector(text)
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
        labels.parse_label_selector(text)
    assert caught.value.code == 400
    assert fragment in caught.value.message


def test_reports_label_value_error_with_its_path() -> None:
    with pytest.raises(errors.ApiError) as caught:
        labels.parse_label_selector("env=-dev")
    assert caught.value.message.startswith(
        'unable to parse requirement: values[0][env]: Invalid value: "-dev": a valid label must be an empty '
        "string or consist of alphanumeric characters"
    )


def test_accepts_longest_valid_label_value() -> None:
    assert labels.parse_label_selector(f"env={'v' * 63}").matches({"env": "v" * 63})


# --- metav1.LabelSelector -----------------------------------------------------------------------------


@pytest.mark.parametrize("sel", [None, {}, {"matchLabels": {}}, {"matchLabels": {}, "matchExpressions": []}])
def test_missing_or_empty_json_selector_matches_everything(sel: dict[str, object] | None) -> None:
    selector = labels.label_selector_from_json(sel)
    assert selector.empty
    assert selector.matches({"anything": "goes"})


@pytest.mark.parametrize(
    ("expression", "object_labels", "expected"),
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
def test_json_selector_match_expressions(expression: dict[str, object], object_labels: dict[str, str],
                                         expected: bool) -> None:
    selector = labels.label_selector_from_json({"matchExpressions": [expression]})
    assert selector.matches(object_labels) is expected


def test_json_selector_ands_match_labels_and_expressions() -> None:
    selector = labels.label_selector_from_json({
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
        labels.label_selector_from_json(sel)
    assert caught.value.code == 400
    assert fragment in caught.value.message
