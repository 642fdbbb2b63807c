"""Tests for shoot.quantity: Kubernetes quantity parsing into exact decimals."""

from decimal import Decimal

import pytest

from shoot.quantity import parse_quantity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8Gi", Decimal(8 * 2**30)),
        ("1Ki", Decimal(1024)),
        ("1.5Mi", Decimal(1572864)),
        ("2Ti", Decimal(2 * 2**40)),
        ("1Pi", Decimal(2**50)),
        ("1Ei", Decimal(2**60)),
        ("100m", Decimal("0.1")),
        ("250n", Decimal("0.00000025")),
        ("3u", Decimal("0.000003")),
        ("2", Decimal(2)),
        ("2k", Decimal(2000)),
        ("4M", Decimal(4_000_000)),
        ("1G", Decimal(10**9)),
        ("1T", Decimal(10**12)),
        ("1P", Decimal(10**15)),
        ("1E", Decimal(10**18)),
        ("1e3", Decimal(1000)),
        ("5E-2", Decimal("0.05")),
        ("+1.", Decimal(1)),
        (".5", Decimal("0.5")),
        ("-20Gi", Decimal(-20 * 2**30)),
        ("4000Gi", Decimal(4000 * 2**30)),
    ],
)
def test_parses_suffixes_exactly(text: str, expected: Decimal) -> None:
    assert parse_quantity(text) == expected


def test_parses_integers_as_themselves() -> None:
    assert parse_quantity(110) == Decimal(110)


def test_keeps_large_binary_quantities_exact() -> None:
    assert parse_quantity("123456789123456789Ei") == Decimal(123456789123456789 * 2**60)


@pytest.mark.parametrize("garbage", ["", "abc", "Gi", "1 Gi", "1Gib", "1.2.3", "1ki", "1e", "--1", "1K", "1iB"])
def test_rejects_malformed_quantities(garbage: str) -> None:
    with pytest.raises(ValueError, match="quantities must match"):
        parse_quantity(garbage)


@pytest.mark.parametrize("wrong_type", [True, 1.5, None, ["1"]])
def test_rejects_non_string_non_integer_values(wrong_type: object) -> None:
    with pytest.raises(ValueError, match="string or an integer"):
        parse_quantity(wrong_type)  # type: ignore[arg-type]
