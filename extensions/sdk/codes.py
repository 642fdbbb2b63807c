"""Gardener's error codes from error text (``DetermineError``): a table of patterns per code, and the retry intent
that follows.

Used by cloud actuators (``extensions.aws``) to turn a provider's error into ``TemporaryError`` (retried after a
delay) or ``PermanentError`` (codes that mean the user must act stop the shoot at once: ``shoot.errors``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from shoot import errors
from shoot.errors import ErrorCode, FlowError

# Code -> case-insensitive patterns searched in the whole error text.
CodeTable = Mapping[ErrorCode, Sequence[str]]


def determine_codes(text: str, table: CodeTable) -> list[ErrorCode]:
    """Every code one of whose patterns occurs in ``text``, sorted and without repeats."""
    return sorted({code for code, patterns in table.items()
                   if any(re.search(p, text, flags=re.IGNORECASE) for p in patterns)})


def flow_error(exc: BaseException, table: CodeTable, *, context: str = "", delay: float = 10.0) -> FlowError:
    """``exc`` as the retry vocabulary: the codes it carries (or that its text shows), permanent when one of them
    is non-retryable, temporary otherwise."""
    if isinstance(exc, FlowError):
        return exc
    message = f"{context}: {exc}" if context else str(exc)
    codes = determine_codes(message, table)
    error = errors.TemporaryError(message, delay=delay, codes=codes)
    if not errors.retryable(error):
        return errors.PermanentError(message, codes=codes)
    return error
