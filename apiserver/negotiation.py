"""Which response media types a resource request may ask for: JSON, and ``kubectl get``'s Table form.

Called by ``apiserver.routes`` for every generic resource request (subresources that answer on their own, such as
``pods/log``, negotiate for themselves): an ``Accept`` header naming nothing this server can produce is answered
406 NotAcceptable, as Kubernetes answers, instead of with a body of a type the client did not ask for.
"""

from __future__ import annotations

from apiserver import discovery, errors, tables

SERVED = "application/json, application/json;as=Table;v=v1;g=meta.k8s.io"


def check_accept(accept: str) -> None:
    """406 unless the header is empty or one of its media ranges (q > 0) is JSON or a Table of meta.k8s.io."""
    if not accept.strip():
        return
    ranges = discovery.media_ranges(accept)
    if any(media.is_plain_json() for media in ranges) or tables.wants_table(accept):
        return
    raise errors.not_acceptable(f"only the following media types are accepted: {SERVED}")
