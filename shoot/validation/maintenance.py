"""Rules 28-30: the maintenance time window, automatic credential rotation periods and hibernation schedules
(cron specs and IANA time zones).

Called by ``shoot.validation.validate_shoot``; ``parse_time_window`` is also what the dispatcher needs to know
when a window is open.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.validation import cron, formats
from shoot.validation.formats import dig, items

DAY = 24 * 3600
MIN_WINDOW, MAX_WINDOW = 30 * 60, 6 * 3600
MIN_ROTATION, MAX_ROTATION = 30 * 60, 90 * DAY
ROTATED_CREDENTIALS = ("observability", "sshKeypair", "etcdEncryptionKey")
_TIME = re.compile(r"^([01]\d|2[0-3])([0-5]\d)([0-5]\d)([+-])([01]\d|2[0-3])([0-5]\d)$")
_TIME_HELP = "must be a time of day in the form HHMMSS+ZZZZ, such as 220000+0100"


def validate(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    return _time_window(new) + _rotation_periods(new) + _hibernation(new)


def seconds_of_day_utc(text: Any) -> int | None:
    """``220000+0100`` -> seconds after midnight UTC (75600); None if it is not such a time."""
    match = _TIME.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    hours, minutes, seconds, sign, offset_hours, offset_minutes = match.groups()
    local = int(hours) * 3600 + int(minutes) * 60 + int(seconds)
    offset = (int(offset_hours) * 3600 + int(offset_minutes) * 60) * (1 if sign == "+" else -1)
    return (local - offset) % DAY


def parse_time_window(begin: Any, end: Any) -> tuple[int, int] | None:
    """``(begin, duration)`` in seconds, begin after midnight UTC; a window may cross midnight."""
    start, stop = seconds_of_day_utc(begin), seconds_of_day_utc(end)
    if start is None or stop is None:
        return None
    return start, (stop - start) % DAY


def _time_window(shoot: Mapping[str, Any]) -> list[FieldError]:
    """Rule 28."""
    path = "spec.maintenance.timeWindow"
    window = dig(shoot, "spec", "maintenance", "timeWindow")
    if window is None:
        return []
    errors = [
        fielderrors.invalid(f"{path}.{field}", dig(window, field), _TIME_HELP)
        for field in ("begin", "end")
        if seconds_of_day_utc(dig(window, field)) is None
    ]
    parsed = parse_time_window(dig(window, "begin"), dig(window, "end"))
    if errors or parsed is None:
        return errors
    duration = parsed[1]
    if duration > MAX_WINDOW:
        return [fielderrors.forbidden(path, f"time window must not be longer than 6h ({_hours(duration)} given)")]
    if duration < MIN_WINDOW:
        return [fielderrors.forbidden(path, f"time window must be at least 30m long ({_hours(duration)} given)")]
    return []


def _hours(seconds: int) -> str:
    return f"{seconds // 3600}h{seconds % 3600 // 60}m"


def _rotation_periods(shoot: Mapping[str, Any]) -> list[FieldError]:
    """Rule 29: 0 disables an automatic rotation, anything else lies between 30m and 90 days."""
    errors: list[FieldError] = []
    for credential in ROTATED_CREDENTIALS:
        path = f"spec.maintenance.autoRotation.credentials.{credential}.rotationPeriod"
        period = dig(shoot, "spec", "maintenance", "autoRotation", "credentials", credential, "rotationPeriod")
        if period is None:
            continue
        try:
            seconds = formats.parse_duration(period) if isinstance(period, str) else None
        except ValueError:
            seconds = None
        if seconds is None:
            errors.append(fielderrors.invalid(path, period, "must be a duration such as 168h"))
        elif seconds != 0 and not MIN_ROTATION <= seconds <= MAX_ROTATION:
            errors.append(fielderrors.invalid(path, period, "must be 0 (disabled) or between 30m and 2160h (90 days)"))
    return errors


def _hibernation(shoot: Mapping[str, Any]) -> list[FieldError]:
    """Rule 30 (static part)."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, schedule in enumerate(items(dig(shoot, "spec", "hibernation", "schedules"))):
        path = f"spec.hibernation.schedules[{index}]"
        if not dig(schedule, "start") and not dig(schedule, "end"):
            errors.append(fielderrors.required(path, "either start or end has to be provided"))
        for field in ("start", "end"):
            spec = dig(schedule, field)
            if spec:
                errors += _cron(f"{path}.{field}", spec, seen=seen)
        location = dig(schedule, "location")
        if location is not None and not (isinstance(location, str) and formats.is_zone(location)):
            errors.append(
                fielderrors.invalid(f"{path}.location", location, "not a valid IANA time zone such as Europe/Berlin")
            )
    return errors


def _cron(path: str, spec: Any, *, seen: set[str]) -> list[FieldError]:
    reason = cron.check(spec) if isinstance(spec, str) else "must be a string"
    if reason is not None:
        return [fielderrors.invalid(path, spec, f"not a valid cron spec: {reason}")]
    if spec in seen:
        return [fielderrors.duplicate(path, spec)]
    seen.add(spec)
    return []
