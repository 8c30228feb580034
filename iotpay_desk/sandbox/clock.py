"""Sandbox time: a wall clock that may run faster than real time and can be moved forward.

Every rule that depends on time (the settlement cut-off, secureId expiry, the pending
test card, notify retries) asks a :class:`SandboxClock`. Times are POSIX seconds in
*sandbox* time; :data:`TORONTO` is the zone of ``paySuccTime`` and of the cut-off.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

__all__ = [
    "LATEST_SANDBOX_TIME",
    "MAX_ADVANCE_S",
    "TORONTO",
    "SandboxClock",
    "advance_seconds",
    "next_cutoff",
    "parse_cutoff",
]

TORONTO = ZoneInfo("America/Toronto")

#: The most one :meth:`SandboxClock.advance` may move time: 366 days, enough to cross any
#: settlement, expiry or retry rule of a year. More is a typo (or an attack), not a test.
MAX_ADVANCE_S = 366 * 24 * 3600
#: Sandbox time never goes past this (POSIX seconds, 2200-01-01 Toronto): repeated advances
#: cannot walk the clock out of what :mod:`datetime` can show (year 9999), which used to
#: break every later call until the sandbox was restarted.
LATEST_SANDBOX_TIME = datetime(2200, 1, 1, tzinfo=TORONTO).timestamp()


def advance_seconds(value: object) -> float:
    """``value`` (as decoded from JSON) checked as an advance: a finite number of seconds
    from 0 to :data:`MAX_ADVANCE_S`. Anything else (text, true/false, NaN, infinity, a
    negative or an enormous number) raises ValueError with a message naming the field and
    the rule.
    """
    rule = f"seconds: must be a finite number from 0 to {MAX_ADVANCE_S} (366 days)"
    # bool is an int in Python, and JSON's true must not mean one second.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(rule)
    # Compared before float(): an integer of 400 digits does not fit a float at all.
    if not 0 <= value <= MAX_ADVANCE_S:  # also False for NaN
        raise ValueError(rule)
    return float(value)


class SandboxClock:
    """Sandbox time = ``start + (real time elapsed) × time_scale + advanced``.

    ``start`` defaults to the real time now. With ``frozen=True`` time stands still
    and only :meth:`advance` moves it (deterministic tests). Thread-safe.
    """

    def __init__(
        self,
        *,
        time_scale: float = 1.0,
        start: datetime | float | None = None,
        frozen: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not time_scale > 0 or not math.isfinite(time_scale):
            raise ValueError("time_scale must be a positive number")
        self.time_scale = float(time_scale)
        self.frozen = frozen
        self._monotonic = monotonic
        if start is None:
            origin = time.time()
        elif isinstance(start, datetime):
            if start.tzinfo is None:
                start = start.replace(tzinfo=TORONTO)
            origin = start.timestamp()
        else:
            origin = float(start)
        self._origin = origin
        self._real0 = monotonic()
        self._advanced = 0.0
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def __repr__(self) -> str:
        return (
            f"SandboxClock(time_scale={self.time_scale}, frozen={self.frozen}, "
            f"now={self.local_now().isoformat(timespec='seconds')})"
        )

    def now(self) -> float:
        """Sandbox time in POSIX seconds."""
        with self._lock:
            elapsed = 0.0 if self.frozen else (self._monotonic() - self._real0) * self.time_scale
            return self._origin + elapsed + self._advanced

    def local_now(self) -> datetime:
        return datetime.fromtimestamp(self.now(), TORONTO)

    def advance(self, seconds: float) -> None:
        """Move sandbox time forward by ``seconds`` (never backwards).

        ``seconds`` is checked with :func:`advance_seconds`; time that would pass
        :data:`LATEST_SANDBOX_TIME` is refused too. A refused advance changes nothing.
        """
        seconds = advance_seconds(seconds)
        with self._lock:
            elapsed = 0.0 if self.frozen else (self._monotonic() - self._real0) * self.time_scale
            if self._origin + elapsed + self._advanced + seconds > LATEST_SANDBOX_TIME:
                raise ValueError("seconds: would move sandbox time past the year 2199")
            self._advanced += seconds
            listeners = list(self._listeners)
        for cb in listeners:
            cb()

    def real_seconds(self, sandbox_seconds: float) -> float:
        """How long (real seconds) until ``sandbox_seconds`` of sandbox time pass; inf if frozen."""
        if sandbox_seconds <= 0:
            return 0.0
        if self.frozen:
            return math.inf
        return sandbox_seconds / self.time_scale

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` (any thread) after each :meth:`advance`; returns an unsubscribe."""
        with self._lock:
            self._listeners.append(callback)

        def unsubscribe() -> None:
            with self._lock, contextlib.suppress(ValueError):
                self._listeners.remove(callback)

        return unsubscribe


def parse_cutoff(text: str) -> dtime:
    """``"HH:MM"`` → a time of day; raises ValueError with a plain message."""
    try:
        hh, mm = text.strip().split(":")
        value = dtime(int(hh), int(mm))
    except ValueError:
        raise ValueError("cut-off must be HH:MM (24-hour clock)") from None
    return value


def next_cutoff(ts: float, cutoff: dtime) -> float:
    """The first cut-off strictly after ``ts`` (America/Toronto local), as POSIX seconds.

    A payment at or after the day's cut-off settles at the next day's. Built from the
    local date (not by adding 24 h) so daylight-saving changes keep the wall-clock time.
    """
    local = datetime.fromtimestamp(ts, TORONTO)
    day: date = local.date()
    candidate = datetime.combine(day, cutoff, tzinfo=TORONTO)
    if local >= candidate:
        candidate = datetime.combine(day + timedelta(days=1), cutoff, tzinfo=TORONTO)
    return candidate.timestamp()
