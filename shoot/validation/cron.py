"""Standard cron specs as Gardener's hibernation schedules accept them (``robfig/cron`` ``ParseStandard``).

``check`` returns why a spec is invalid, or None; used by ``shoot.validation.maintenance``. Five fields
(minute hour day-of-month month day-of-week) with ``*``/``?``, ranges, steps, lists and month/weekday names,
or a descriptor such as ``@daily`` or ``@every 1h30m``; an optional ``CRON_TZ=<zone>`` prefix.
"""

from __future__ import annotations

from shoot.validation import formats

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
# (name, minimum, maximum, names for values)
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, {name: number for number, name in enumerate(_MONTHS, 1)}),
    ("day of week", 0, 6, {name: number for number, name in enumerate(_WEEKDAYS)}),
)
DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


def check(spec: str) -> str | None:
    """None if ``spec`` is a valid standard cron spec, else the reason it is not."""
    spec = spec.strip()
    if spec.startswith(("CRON_TZ=", "TZ=")):
        zone, _, spec = spec.partition(" ")
        if not formats.is_zone(zone.partition("=")[2]):
            return f"provided bad location {zone.partition('=')[2]}"
    if spec.startswith("@"):
        return _descriptor(spec)
    fields = spec.split()
    if len(fields) != len(_FIELDS):
        return f"expected exactly {len(_FIELDS)} fields, found {len(fields)}: {spec!r}"
    for text, (name, low, high, names) in zip(fields, _FIELDS, strict=True):
        for part in text.split(","):
            reason = _range(part, low=low, high=high, names=names)
            if reason is not None:
                return f"{name} field {text!r}: {reason}"
    return None


def _descriptor(spec: str) -> str | None:
    if spec in DESCRIPTORS:
        return None
    if spec.startswith("@every "):
        try:
            formats.parse_duration(spec[len("@every ") :].strip())
        except ValueError as error:
            return f"failed to parse duration {spec}: {error}"
        return None
    return f"unrecognized descriptor: {spec}"


def _range(part: str, *, low: int, high: int, names: dict[str, int]) -> str | None:
    bounds, slash, step_text = part.partition("/")
    if slash and not (step_text.isdigit() and int(step_text) > 0):
        return f"step of range should be a positive number: {part!r}"
    if bounds in ("*", "?"):
        return None
    first_text, dash, last_text = bounds.partition("-")
    first, last = _number(first_text, names), _number(last_text, names) if dash else None
    if first is None or (dash and last is None):
        return f"failed to parse {part!r}"
    end = last if last is not None else first
    if first < low:
        return f"beginning of range ({first}) below minimum ({low}): {part!r}"
    if end > high:
        return f"end of range ({end}) above maximum ({high}): {part!r}"
    if first > end:
        return f"beginning of range ({first}) beyond end of range ({end}): {part!r}"
    return None


def _number(text: str, names: dict[str, int]) -> int | None:
    if text.isdigit():
        return int(text)
    return names.get(text.lower())
