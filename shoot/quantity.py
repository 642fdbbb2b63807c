"""Kubernetes resource quantities ("8Gi", "100m", "1e3", 2) parsed into exact decimals.

Pure helper used by ``shoot.api`` (to reject malformed quantities at decoding time) and by admission and
quota accounting (machine-type cpu/memory, volume sizes, ``Quota.spec.metrics``). Follows
``k8s.io/apimachinery/pkg/api/resource.ParseQuantity``: binary suffixes Ki..Ei, decimal n u m "" k M G T P E,
and decimal exponents ``e3``/``E-2``.
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext

_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_QUANTITY = re.compile(rf"^(?P<number>{_NUMBER})(?P<suffix>[eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE]?)$")

_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}

# Exa-binary numbers with many digits need more than Decimal's default 28 significant digits to stay exact.
_PRECISION = 80


def parse_quantity(quantity: str | int) -> Decimal:
    """Return the exact value of a Kubernetes quantity; raise ValueError if it is not one.

    ``parse_quantity("8Gi") == 8 * 2**30``, ``parse_quantity("100m") == Decimal("0.1")``,
    ``parse_quantity(2) == 2``. Booleans are rejected although Python treats them as ints.
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int | str):
        raise ValueError(f"quantity must be a string or an integer, not {type(quantity).__name__}")
    if isinstance(quantity, int):
        return Decimal(quantity)
    match = _QUANTITY.match(quantity)
    if match is None:
        raise ValueError(
            f"quantities must match the regular expression "
            f"'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {quantity!r}"
        )
    return _scale(Decimal(match["number"]), suffix=match["suffix"])


def _scale(number: Decimal, *, suffix: str) -> Decimal:
    with localcontext() as context:
        context.prec = _PRECISION
        if suffix in _BINARY:
            return number * Decimal(1024) ** _BINARY[suffix]
        # "E" alone is the exa suffix; "E3"/"e3" is an exponent (the regex only lets digits follow it).
        exponent = int(suffix[1:]) if len(suffix) > 1 else _DECIMAL[suffix]
        return number.scaleb(exponent)
