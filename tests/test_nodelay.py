"""Nagle's algorithm off on the app server's sockets (pages.ui.nodelay): a listening socket bound
the way Streamlit 1.67 binds it (``proto`` 0, which asyncio does not recognise as TCP) gets
``TCP_NODELAY`` and the connections it accepts inherit it; other sockets are left as they are.
What it saves (40 ms per answer on a reused connection) is measured by ``make bench``
(``http_reused_connection_ms``), not timed here."""

from __future__ import annotations

import socket

from pages.ui import nodelay


def _streamlit_like_listener() -> socket.socket:
    """As ``streamlit.web.server.starlette.starlette_server._bind_socket`` makes it."""
    sock = socket.socket(family=socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock


def _nodelay(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def test_streamlits_kind_of_socket_is_left_with_nagle_on_by_asyncio():
    """Why the module exists: asyncio sets TCP_NODELAY only when ``proto == IPPROTO_TCP``."""
    with _streamlit_like_listener() as sock:
        assert sock.proto == 0
        assert not _nodelay(sock)


def test_listening_sockets_get_nodelay_and_pass_it_to_connections():
    with _streamlit_like_listener() as listener, socket.socket(socket.AF_UNIX) as unix:
        unix.bind("\0p03-nodelay-test")  # abstract name: nothing on disk
        unix.listen(1)
        assert nodelay.on_listening_sockets() >= 1
        assert _nodelay(listener)
        with socket.create_connection(listener.getsockname()):
            accepted, _ = listener.accept()
            with accepted:
                assert _nodelay(accepted)
        assert unix.fileno() >= 0 and unix.getsockname() == b"\0p03-nodelay-test"  # untouched, still open


def test_connected_and_other_sockets_are_not_touched():
    with _streamlit_like_listener() as listener, socket.create_connection(listener.getsockname()) as client:
        accepted, _ = listener.accept()
        with accepted:
            before = _nodelay(client)
            nodelay.on_listening_sockets()
            assert _nodelay(client) == before  # not a listening socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        assert nodelay.set_nodelay(udp) is False
