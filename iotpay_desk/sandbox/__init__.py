"""A local IOTPay Credit Card API V3 server for demonstrations, tests and benchmarks.

A real HTTP server on loopback (Starlette + uvicorn + SQLite) that follows the
project's reference (``docs/sandbox.md``): all nine endpoints, hosted card pages,
test cards, a settlement clock, signed notify with retries and fault injection.
Nothing here imports Qt.
"""

from .clock import TORONTO, SandboxClock
from .faults import FaultSpec
from .merchants import DEMO_MERCHANT, Merchant
from .server import SandboxServer

__all__ = ["DEMO_MERCHANT", "TORONTO", "FaultSpec", "Merchant", "SandboxClock", "SandboxServer"]
