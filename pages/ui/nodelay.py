"""Nagle's algorithm off on the app server's connections (``TCP_NODELAY``).

Streamlit 1.67 binds its listening socket itself (``starlette_server._bind_socket``:
``socket.socket(family=...)``, whose ``proto`` is 0). asyncio turns Nagle's algorithm off only
on a transport whose socket says ``proto == IPPROTO_TCP`` (``base_events._set_nodelay``), so
every connection the app accepts keeps it on. A response written in two parts (headers, then
body) then waits for the browser's delayed ACK before its last part goes out: **40 ms for every
HTTP response on a reused connection**, and small websocket messages sent one after another can
wait the same way. A cold load of the district map fetches some 60 of Streamlit's script chunks
over six connections, one after another on each: Streamlit's own page finished loading at 0.6 s
instead of about 0.2 s (``docs/benchmarks.md``, eighth round).

An accepted socket inherits ``TCP_NODELAY`` from its listening socket (Linux, the BSDs, macOS).
When ``streamlit run app.py`` serves the ``st.App``, uvicorn imports app.py *after* Streamlit has
bound the socket and before it accepts anything, so app.py calls :func:`on_listening_sockets`,
which finds this process's listening TCP sockets through its file descriptors and sets the option
on each (through a duplicate descriptor: the socket objects stay Streamlit's). It touches nothing
else, and where it finds none (another way of starting the app) it changes nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import stat
from pathlib import Path

_LOG = logging.getLogger(__name__)
_FD_DIRS = (Path("/proc/self/fd"), Path("/dev/fd"))


def set_nodelay(sock: socket.socket) -> bool:
    """Turn Nagle's algorithm off on a TCP socket (a listening one passes it on to the connections
    it accepts); True if ``sock`` is a TCP socket, False (and nothing done) for any other."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type != socket.SOCK_STREAM:
        return False
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return True


def _open_fds() -> list[int]:
    for folder in _FD_DIRS:
        try:
            return sorted(int(name) for name in os.listdir(folder) if name.isdigit())
        except OSError:
            continue
    return []


def _listening_tcp(fd: int) -> socket.socket | None:
    """A duplicate of ``fd`` as a socket object if it is a listening TCP socket, else None."""
    try:
        if not stat.S_ISSOCK(os.fstat(fd).st_mode):
            return None
        sock = socket.socket(fileno=os.dup(fd))  # family and type read from the descriptor
    except OSError:  # closed meanwhile (the listing's own descriptor), or not a socket after all
        return None
    try:
        if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) and \
                sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
            return sock
    except OSError:
        pass
    sock.close()
    return None


def on_listening_sockets() -> int:
    """Set ``TCP_NODELAY`` on every listening TCP socket of this process; how many there were."""
    done = 0
    for fd in _open_fds():
        sock = _listening_tcp(fd)
        if sock is None:
            continue
        with sock:  # closes the duplicate only
            done += set_nodelay(sock)
    if not done:
        _LOG.info("no listening TCP socket found: TCP_NODELAY left as it is")
    return done
