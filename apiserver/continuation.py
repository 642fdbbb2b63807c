"""Continue tokens that reveal nothing: sealed with a key every server process on the database shares, and bound
to the list they page and to the caller.

``apiserver.listing`` seals the position after the last object a page returned (and the resourceVersion of the
first page) with Fernet (AES-CBC + HMAC-SHA256); a client sees only ciphertext. A token opens only for the same
resource, namespace, selectors and caller; a tampered, foreign or replayed-elsewhere token is refused with one
400, worded as Kubernetes words a continue token it cannot use, and saying nothing about why.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken

from apiserver import errors

# Position after which the next page starts: (namespace, name).
Position = tuple[str, str]
INVALID = "invalid continue token: continue key is not valid: it was not issued for this list by this server"


@dataclasses.dataclass(frozen=True)
class ListScope:
    """What a token is bound to: one list (resource, namespace, selectors) of one caller."""

    resource: str
    namespace: str | None
    label_selector: str = ""
    field_selector: str = ""
    caller: str = ""

    def digest(self) -> str:
        fields = [self.resource, self.namespace, self.label_selector, self.field_selector, self.caller]
        return hashlib.sha256(json.dumps(fields).encode()).hexdigest()


class ContinueTokens:
    """Seals and opens continue tokens; ``key`` (a Fernet key) is asked once, on first use."""

    def __init__(self, key: Callable[[], bytes]) -> None:
        self._key = key
        self._fernet: Fernet | None = None
        self._lock = threading.Lock()

    def seal(self, scope: ListScope, after: Position, rv: int) -> str:
        payload = json.dumps({"rv": rv, "ns": after[0], "name": after[1], "list": scope.digest()},
                             separators=(",", ":"))
        return self._cipher().encrypt(payload.encode()).decode()

    def open(self, token: str, scope: ListScope) -> tuple[Position, int]:
        try:
            doc = json.loads(self._cipher().decrypt(token.encode()))
            if doc["list"] != scope.digest():
                raise ValueError("bound to another list")
            return (str(doc["ns"]), str(doc["name"])), int(doc["rv"])
        except (InvalidToken, ValueError, KeyError, TypeError, UnicodeEncodeError):
            raise errors.bad_request(INVALID) from None

    def _cipher(self) -> Fernet:
        with self._lock:
            if self._fernet is None:
                self._fernet = Fernet(self._key())
            return self._fernet
