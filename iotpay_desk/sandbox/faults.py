"""Fault injection: what can go wrong between the desk and IOTPay, on demand.

A :class:`FaultSpec` names a kind, optionally one endpoint (``cc_refund``) and a number
of calls; faults apply to ``/v3/...`` calls only, never to the admin API or the pages.

- ``latency``: wait ``latency_ms`` before handling the call.
- ``error500``: answer HTTP 500 without handling the call (nothing is committed).
- ``drop_after_commit``: handle the call (the order is committed), then cut the
  connection without any answer: the "did it charge?" case.
- ``hang``: never answer; hold the connection until the client gives up (at most
  :data:`HANG_LIMIT_S` real seconds, cut at shutdown). Nothing is committed.
- ``malformed_json``: handle the call (committed), answer HTTP 200 with a truncated,
  unparsable JSON body.

``rate`` (0..1, default 1) is the chance that a matching call is hit; ``count`` (or
``None`` for unlimited) is how many calls it may still hit: it goes down by one for
each call it hits, and the fault disappears at 0.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

__all__ = ["FAULT_KINDS", "HANG_LIMIT_S", "FaultSet", "FaultSpec", "parse_fault_arg"]

FaultKind = Literal["latency", "error500", "drop_after_commit", "hang", "malformed_json"]
FAULT_KINDS: tuple[str, ...] = (
    "latency",
    "error500",
    "drop_after_commit",
    "hang",
    "malformed_json",
)
HANG_LIMIT_S = 120.0
MAX_LATENCY_MS = 120_000


@dataclass(frozen=True, slots=True)
class FaultSpec:
    kind: FaultKind
    endpoint: str | None = None
    count: int | None = None
    latency_ms: int = 0
    rate: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"kind: must be one of {', '.join(FAULT_KINDS)}")
        if self.endpoint is not None and (
            not isinstance(self.endpoint, str) or not self.endpoint.strip()
        ):
            raise ValueError("endpoint: must be an endpoint name such as cc_refund, or null")
        if self.count is not None and (
            isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1
        ):
            raise ValueError("count: must be a whole number >= 1, or null")
        if (
            isinstance(self.latency_ms, bool)
            or not isinstance(self.latency_ms, int)
            or not 0 <= self.latency_ms <= MAX_LATENCY_MS
        ):
            raise ValueError(f"latency_ms: must be a whole number from 0 to {MAX_LATENCY_MS}")
        if self.kind == "latency" and self.latency_ms == 0:
            raise ValueError("latency_ms: must be more than 0 for a latency fault")
        if (
            isinstance(self.rate, bool)
            or not isinstance(self.rate, int | float)
            or not 0.0 <= self.rate <= 1.0
        ):
            raise ValueError("rate: must be a number from 0 to 1")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FaultSpec:
        """Build from the JSON of ``POST /sandbox/faults``; raises ValueError naming the field."""
        if not isinstance(d, Mapping):
            raise ValueError("faults: each fault must be a JSON object")
        unknown = set(d) - {"kind", "endpoint", "count", "latency_ms", "rate"}
        if unknown:
            raise ValueError(f"{sorted(unknown)[0]}: unknown fault field")
        if "kind" not in d:
            raise ValueError("kind: is required")
        return cls(
            kind=d["kind"],
            endpoint=d.get("endpoint"),
            count=d.get("count"),
            latency_ms=d.get("latency_ms", 0) if d.get("latency_ms") is not None else 0,
            rate=d.get("rate", 1.0) if d.get("rate") is not None else 1.0,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def matches(self, endpoint: str) -> bool:
        return self.endpoint is None or self.endpoint == endpoint


def parse_fault_arg(text: str) -> FaultSpec:
    """CLI form ``KIND[:ENDPOINT[:COUNT]]``; ``-`` or empty ENDPOINT means every endpoint.

    ``latency`` takes its milliseconds as ``latency=MS``, e.g. ``latency=250:cc_query``.
    """
    head, *rest = text.split(":")
    latency_ms = 0
    kind = head
    if head.startswith("latency="):
        kind = "latency"
        try:
            latency_ms = int(head.split("=", 1)[1])
        except ValueError:
            raise ValueError("--fault latency=MS: MS must be a whole number") from None
    endpoint = rest[0] if rest and rest[0] not in ("", "-", "*") else None
    count: int | None = None
    if len(rest) > 1 and rest[1] != "":
        try:
            count = int(rest[1])
        except ValueError:
            raise ValueError("--fault KIND:ENDPOINT:COUNT: COUNT must be a whole number") from None
    if len(rest) > 2:
        raise ValueError("--fault takes KIND[:ENDPOINT[:COUNT]]")
    if kind not in FAULT_KINDS:
        raise ValueError(f"--fault: kind must be one of {', '.join(FAULT_KINDS)}")
    return FaultSpec(kind=kind, endpoint=endpoint, count=count, latency_ms=latency_ms)  # type: ignore[arg-type]


class FaultSet:
    """The faults in force; thread-safe (the API and the server thread both touch it)."""

    def __init__(self, faults: Iterable[FaultSpec] = (), *, rng: random.Random | None = None):
        self._lock = threading.Lock()
        self._faults: list[FaultSpec] = list(faults)
        self._rng = rng or random.Random()  # noqa: S311 - fault rolls, not security

    def set(self, faults: Iterable[FaultSpec]) -> None:
        with self._lock:
            self._faults = list(faults)

    def clear(self) -> None:
        self.set(())

    def active(self) -> list[FaultSpec]:
        with self._lock:
            return list(self._faults)

    def __bool__(self) -> bool:
        return bool(self._faults)

    def take(self, endpoint: str) -> Sequence[FaultSpec]:
        """The faults that hit this call; counts go down by one for each."""
        if not self._faults:  # fast path, no lock: an empty list stays empty until set()
            return ()
        hit: list[FaultSpec] = []
        with self._lock:
            kept: list[FaultSpec] = []
            for f in self._faults:
                if f.matches(endpoint) and (f.rate >= 1.0 or self._rng.random() < f.rate):
                    hit.append(f)
                    if f.count is not None:
                        if f.count > 1:
                            kept.append(replace(f, count=f.count - 1))
                        continue
                kept.append(f)
            self._faults = kept
        return hit
