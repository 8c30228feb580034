"""Fixtures that run the real sandbox server on a random loopback port.

- ``demo_merchant``: :data:`DEMO_MERCHANT` — mchId ``10000701``, key
  ``SANDBOX_DEMO_KEY_not_secret_0001``, name "Demo Café", any loginName accepted.
- ``sandbox``: a started :class:`SandboxServer` with the demo merchant, data in memory,
  cut-off 21:00, ``time_scale=60`` (one sandbox minute per real second: the pending
  test card resolves after ~0.08 s, notify retries come 1 s, 2 s, 3 s, 4 s apart, a
  secureId lives 60 s). Its clock starts at 09:00 America/Toronto today, so the 21:00
  cut-off is 12 real minutes away: payments stay unsettled until the test calls
  ``sandbox.settle()`` or ``sandbox.advance(seconds)``. Stopped at teardown.
- ``sandbox_url``: ``sandbox.url`` (``http://127.0.0.1:PORT``).
- ``sandbox_factory``: ``sandbox_factory(**kwargs)`` starts another server with any
  :class:`SandboxServer` arguments (defaults as ``sandbox``; pass
  ``clock=SandboxClock(frozen=True)`` for time that moves only with ``advance``); all
  are stopped at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from iotpay_desk.sandbox import DEMO_MERCHANT, TORONTO, Merchant, SandboxClock, SandboxServer

SANDBOX_TIME_SCALE = 60.0


def morning_clock(time_scale: float = SANDBOX_TIME_SCALE, *, frozen: bool = False) -> SandboxClock:
    """A sandbox clock that starts at 09:00 America/Toronto today."""
    start = datetime.now(TORONTO).replace(hour=9, minute=0, second=0, microsecond=0)
    return SandboxClock(time_scale=time_scale, start=start, frozen=frozen)


@pytest.fixture
def demo_merchant() -> Merchant:
    return DEMO_MERCHANT


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., SandboxServer]]:
    started: list[SandboxServer] = []

    def make(**kwargs: Any) -> SandboxServer:
        kwargs.setdefault("merchants", [DEMO_MERCHANT])
        if "clock" not in kwargs:
            kwargs["clock"] = morning_clock(kwargs.pop("time_scale", SANDBOX_TIME_SCALE))
        srv = SandboxServer(**kwargs)
        srv.start_in_thread()
        started.append(srv)
        return srv

    yield make
    for srv in reversed(started):
        srv.stop_in_thread()


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., SandboxServer]) -> SandboxServer:
    return sandbox_factory()


@pytest.fixture
def sandbox_url(sandbox: SandboxServer) -> str:
    return sandbox.url
