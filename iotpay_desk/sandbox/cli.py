"""``iotpay-desk sandbox``: run the local IOTPay V3 sandbox until SIGINT/SIGTERM.

Prints exactly one line on stdout once it accepts connections::

    IOTPay sandbox listening on http://127.0.0.1:8765

Everything else (merchants, data file, faults) goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path

from .clock import parse_cutoff
from .faults import FaultSpec, parse_fault_arg
from .merchants import DEMO_MERCHANT, Merchant, parse_merchant_arg
from .server import SandboxServer, loop_factory

__all__ = ["main"]

DEFAULT_PORT = 8765


def _merchant(text: str) -> Merchant:
    try:
        return parse_merchant_arg(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _fault(text: str) -> FaultSpec:
    try:
        return parse_fault_arg(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _cutoff(text: str) -> str:
    try:
        parse_cutoff(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="iotpay-desk sandbox",
        description="Run a local IOTPay Credit Card API V3 sandbox (see docs/sandbox.md).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"0 picks a free port (default {DEFAULT_PORT})",
    )
    p.add_argument(
        "--merchant",
        action="append",
        type=_merchant,
        default=[],
        metavar="MCHID:KEY[:LOGIN]",
        help="a merchant (repeatable); LOGIN, when given, is its only accepted loginName. "
        f"Without any, the demo merchant {DEMO_MERCHANT.mch_id} is used",
    )
    p.add_argument("--data", type=Path, help="SQLite file to keep state in (default: memory)")
    p.add_argument(
        "--cutoff", type=_cutoff, default="21:00", help="daily settlement cut-off, HH:MM Toronto"
    )
    p.add_argument(
        "--time-scale",
        type=_positive,
        default=1.0,
        metavar="X",
        help="sandbox time runs X times faster (60: a minute per second)",
    )
    p.add_argument(
        "--fault",
        action="append",
        type=_fault,
        default=[],
        metavar="KIND[:ENDPOINT[:COUNT]]",
        help="inject a fault (repeatable): latency=MS, error500, drop_after_commit, hang, "
        "malformed_json; e.g. drop_after_commit:cc_refund:1",
    )
    p.add_argument("--latency-ms", type=int, default=0, help="add this latency to every call")
    p.add_argument(
        "--error-rate",
        type=float,
        default=0.0,
        help="answer HTTP 500 to this share of calls (0..1)",
    )
    return p


def _faults(args: argparse.Namespace) -> list[FaultSpec]:
    faults: list[FaultSpec] = list(args.fault)
    if args.latency_ms:
        faults.append(FaultSpec(kind="latency", latency_ms=args.latency_ms))
    if args.error_rate:
        faults.append(FaultSpec(kind="error500", rate=args.error_rate))
    return faults


async def _run(srv: SandboxServer) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(sig, stop.set)
    serving = asyncio.create_task(srv.serve())
    ready = asyncio.create_task(srv.wait_ready())
    await asyncio.wait({serving, ready}, return_when=asyncio.FIRST_COMPLETED)
    if serving.done():
        ready.cancel()
        serving.result()
        return 1
    print(f"IOTPay sandbox listening on {ready.result()}", flush=True)
    for m in srv.merchants:
        login = f", loginName {m.login}" if m.login else ""
        print(f"merchant {m.mch_id} ({m.name}){login}", file=sys.stderr, flush=True)
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait({serving, stopper}, return_when=asyncio.FIRST_COMPLETED)
    srv.request_stop()
    await serving
    stopper.cancel()
    return 0


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        faults = _faults(args)
        srv = SandboxServer(
            args.merchant or None,
            data_path=args.data,
            cutoff=args.cutoff,
            time_scale=args.time_scale,
            host=args.host,
            port=args.port,
            faults=faults,
        )
    except ValueError as exc:
        print(f"iotpay-desk sandbox: {exc}", file=sys.stderr)
        return 2
    try:
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            return runner.run(_run(srv))
    except OSError as exc:
        print(
            f"iotpay-desk sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
