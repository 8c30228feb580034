"""A loopback TCP relay between the desk and a server, that can be cut and restored.

What a desk sees when its shared ledger's server goes away: :meth:`TcpProxy.cut` closes
every relayed connection at once (both ends: the client reads end-of-file or a reset) and
stops listening, so new connections are refused, exactly as with a stopped server or a
host that answers with RST; :meth:`TcpProxy.restore` listens again on the same port. The
server behind it keeps running (its data stays), so a test can cut and restore as often
as it likes.

Plain threads and sockets (the server may be PostgreSQL or anything else): one thread
accepts, two per connection pump bytes.

- ``tcp_proxy(host, port)``: a started :class:`TcpProxy`, stopped at teardown
  (see :func:`pg_proxy_url` for a PostgreSQL URL through it).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.engine import make_url

__all__ = ["TcpProxy", "pg_proxy_url", "tcp_proxy"]

_RST = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends a reset


class TcpProxy:
    """``port`` (on 127.0.0.1) relays to ``upstream``. Thread-safe."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self._lock = threading.Lock()
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._listener: socket.socket | None = None
        self._accepter: threading.Thread | None = None
        self.port = 0
        self.accepted = 0  # connections relayed so far
        self.cuts = 0

    # -- what the test says

    def start(self) -> TcpProxy:
        self._listen()
        return self

    @property
    def is_cut(self) -> bool:
        return self._listener is None

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._pairs)

    def cut(self) -> None:
        """The server goes away: every connection closed, new ones refused."""
        with self._lock:
            listener, self._listener = self._listener, None
            pairs, self._pairs = self._pairs, set()
            self.cuts += 1
        if listener is not None:
            _close(listener)
        for a, b in pairs:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    # RST, not a polite FIN: what a server that died leaves behind.
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RST)
                _close(s)
        if self._accepter is not None:
            self._accepter.join(timeout=5)
            self._accepter = None

    def restore(self) -> None:
        """The server is back on the same port."""
        if self._listener is None:
            self._listen()

    def stop(self) -> None:
        self.cut()

    # -- the relay

    def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        sock.settimeout(0.1)
        self.port = sock.getsockname()[1]
        with self._lock:
            self._listener = sock
        self._accepter = threading.Thread(
            target=self._accept, args=(sock,), name="tcp-proxy-accept", daemon=True
        )
        self._accepter.start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            with self._lock:
                if self._listener is not listener:
                    return
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _close(client)
                continue
            client.settimeout(None)
            server.settimeout(None)
            pair = (client, server)
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    _close(client)
                    _close(server)
                    return
                self._pairs.add(pair)
                self.accepted += 1
            for src, dst in ((client, server), (server, client)):
                threading.Thread(
                    target=self._pump, args=(src, dst, pair), name="tcp-proxy-pump", daemon=True
                ).start()

    def _pump(
        self, src: socket.socket, dst: socket.socket, pair: tuple[socket.socket, socket.socket]
    ) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._pairs.discard(pair)
            _close(src)
            _close(dst)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


def pg_proxy_url(url: str, proxy: TcpProxy) -> str:
    """``url`` (a PostgreSQL URL) through ``proxy``."""
    return (
        make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    )


@pytest.fixture
def tcp_proxy() -> Iterator[Callable[[str, int], TcpProxy]]:
    """``tcp_proxy(host, port)``: a started relay to ``host:port``; all stopped at the end."""
    made: list[TcpProxy] = []

    def make(host: str, port: int) -> TcpProxy:
        proxy = TcpProxy(host, port).start()
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.stop()
