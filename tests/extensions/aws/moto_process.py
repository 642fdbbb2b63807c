"""A moto server process on 127.0.0.1: ``python -m tests.extensions.aws.moto_process`` binds a free port, prints
it, and serves moto's AWS emulation there until killed.

Started by ``tests.extensions.aws.moto`` (the tests' fixture). The socket is bound and listening before the port
is printed, so no other process can take the port between picking and serving.
"""

from __future__ import annotations

import os
import socket

from werkzeug.serving import make_server


def main() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    os.environ["MOTO_PORT"] = str(port)  # moto builds some answers' URLs from it
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

    server = make_server("127.0.0.1", port, DomainDispatcherApplication(create_backend_app), threaded=True,
                         request_handler=MotoRequestHandler, fd=sock.fileno())
    print(port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
