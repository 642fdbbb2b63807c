"""Reference protection: a CloudProfile used by shoots, or a Secret used by a binding, cannot be deleted.

Attached to ``cloudprofiles`` and ``secrets`` by ``garden.admission.attach``. Gardener holds such objects with a
finalizer until they are unused; hortus refuses the deletion at once and says who still uses the object.
"""

from __future__ import annotations

from typing import Any

from apiserver import errors
from garden.admission import reader as keys
from garden.admission.reader import Reader
from shoot.validation import deletion

JSON = dict[str, Any]


class CloudProfileProtection:
    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def __call__(self, *, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON:
        if operation != "DELETE":
            return new
        name = new["metadata"]["name"]
        users = deletion.cloudprofile_in_use(name, self.reader.list(keys.SHOOTS))
        if users:
            raise errors.forbidden(
                f'cloudprofiles.core.gardener.cloud "{name}" is forbidden: it is still used by shoot(s) '
                f"{', '.join(users[:10])}")
        return new


class SecretProtection:
    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def __call__(self, *, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON:
        if operation != "DELETE":
            return new
        md = new["metadata"]
        users = deletion.secret_in_use(md.get("namespace", ""), md["name"], self.reader.list(keys.SECRETBINDINGS),
                                       self.reader.list(keys.CREDENTIALSBINDINGS))
        if users:
            raise errors.forbidden(
                f'secrets "{md["name"]}" is forbidden: it is still used by binding(s) {", ".join(users[:10])}')
        return new
