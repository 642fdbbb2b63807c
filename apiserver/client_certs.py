"""TLS client certificates on one HTTPS listener whose trusted CAs change while it serves.

The local seed serves every shoot's API on its own listener (``seed.local.shoots``), so the CAs whose client
certificates it must accept appear and go while it runs. ``ClientCAs`` builds the listener's ``SSLContext``
(``uvicorn_options()`` for ``uvicorn.Config``): it asks for a certificate but does not require one
(``CERT_OPTIONAL``: token clients are unaffected), trusts every CA ``add``-ed so far — OpenSSL consults the
context's store at each handshake, so a CA added later counts from the next connection on — and leaves the
validity period to the request (``X509_V_FLAG_NO_CHECK_TIME``), so that an expired certificate gets Kubernetes'
401 rather than a TLS alert. A certificate of a CA never added still fails the handshake: the stdlib offers no
verify callback. ``ClientCertProtocol`` puts the verified peer certificate into the ASGI scope
(``scope["extensions"]["tls"]["client_cert_chain"]``, the ASGI TLS extension), where ``peer_certificate`` reads
it; which CA must have signed it for which request is the application's decision (``apiserver.access``).
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# OpenSSL's X509_V_FLAG_NO_CHECK_TIME (x509_vfy.h); Python's ssl passes any flag bits through.
NO_CHECK_TIME = 0x200000


class ClientCAs:
    """The CAs a listener accepts client certificates of, and the contexts that trust them."""

    def __init__(self) -> None:
        self._pems: dict[bytes, str] = {}
        self._contexts: list[ssl.SSLContext] = []
        self._lock = threading.Lock()

    def add(self, bundle: bytes) -> None:
        """Trust the CA certificates in the PEM ``bundle`` from the next handshake on (again: no effect)."""
        new = {}
        for cert in x509.load_pem_x509_certificates(bundle):
            new[cert.fingerprint(hashes.SHA256())] = cert.public_bytes(serialization.Encoding.PEM).decode()
        with self._lock:
            fresh = {k: v for k, v in new.items() if k not in self._pems}
            self._pems.update(fresh)
            contexts = list(self._contexts)
        for pem in fresh.values():
            for context in contexts:
                context.load_verify_locations(cadata=pem)

    def trusts(self, cert: x509.Certificate) -> bool:
        return cert.fingerprint(hashes.SHA256()) in self._pems

    def context(self, base: ssl.SSLContext) -> ssl.SSLContext:
        """``base`` (a server context with its certificate loaded) made to ask for client certificates."""
        base.verify_mode = ssl.CERT_OPTIONAL
        base.verify_flags |= NO_CHECK_TIME
        with self._lock:
            self._contexts.append(base)
            pems = list(self._pems.values())
        for pem in pems:
            base.load_verify_locations(cadata=pem)
        return base

    def context_factory(self, config: Config, default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
        return self.context(default())

    def uvicorn_options(self) -> dict[str, Any]:
        """What ``uvicorn.Config`` needs (next to ``ssl_certfile``/``ssl_keyfile``) to serve with these CAs."""
        return {"ssl_context_factory": self.context_factory, "http": ClientCertProtocol}


class ClientCertProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, with the connection's client certificate in every request's scope."""

    _tls: dict[object, object] | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        if der:
            pem = ssl.DER_cert_to_PEM_cert(der)
            self._tls = {"client_cert_chain": [pem], "client_cert_error": None}

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._tls is not None:
            self.scope["extensions"] = {"tls": self._tls}


def peer_certificate(scope: Any) -> x509.Certificate | None:
    """The client certificate the TLS layer verified for this request's connection, if any."""
    chain = ((scope.get("extensions") or {}).get("tls") or {}).get("client_cert_chain") or ()
    if not chain:
        return None
    return x509.load_pem_x509_certificate(str(chain[0]).encode())
