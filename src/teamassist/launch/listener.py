"""The listening socket of ``teamassist serve``, bound before anything else starts.

uvicorn binds only after the app's start-up has run (the runtime, the scheduler, the first
delivery pass): on a taken port a server used to start everything, ~6-10 s, and then stop
with uvicorn's English line and exit 3. Binding first makes the refusal immediate and says
which setting to change.
"""

from __future__ import annotations

import errno
import socket

from teamassist.i18n import t
from teamassist.launch.refusal import fail


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` (not yet listening; uvicorn listens on it), or a
    refusal naming the port and the settings (exit code 3, as for an unreachable database).

    Mirrors uvicorn's own ``Config.bind_socket``: IPv6 when the host has a colon,
    ``SO_REUSEADDR`` so a restart does not wait out TIME_WAIT (Linux still refuses a port
    another process listens on)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        fail(_why(exc, host, port), code=3)
    sock.set_inheritable(True)
    return sock


def _why(exc: OSError, host: str, port: int) -> str:
    kind = type(exc).__name__
    if exc.errno == errno.EADDRINUSE:
        return t("setup.error.port_in_use", host=host, port=port)
    if exc.errno == errno.EACCES:
        return t("setup.error.port_forbidden", host=host, port=port)
    # EADDRNOTAVAIL, an unknown name (socket.gaierror), ...
    return t("setup.error.no_such_address", host=host, kind=kind)
