"""Sandbox throughput: sustained signed cc_query requests per second on loopback, p50/p99.

    uv run python bench/bench_sandbox.py [--duration 10] [--connections 16]

The sandbox runs as its own process (``iotpay-desk sandbox --port 0``), as it would for
the desk, so server and load generator do not share one interpreter. The load
generator keeps ``--connections`` HTTP/1.1 keep-alive connections busy; every request
is a freshly signed ``cc_query`` of an existing order, and every answer is checked to
be a SUCCESS envelope. ``--in-process`` runs the server on a thread of this process
instead (both then share one interpreter lock: a lower bound).

Prints figures; not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from iotpay_desk.api import sign
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer

MCH, KEY = DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key
READY = re.compile(r"IOTPay sandbox listening on (http://[^\s]+)")


def seed_orders(url: str, count: int) -> list[str]:
    """Make ``count`` approved payments to query; return their payOrderIds."""

    def signed(params: dict[str, object]) -> dict[str, object]:
        body = {"mchId": MCH, **params}
        body["sign"] = sign(body, KEY)
        return body

    ids: list[str] = []
    run = f"{time.time_ns() % 10**12:012d}"  # ids unique per run, within 30 characters
    with httpx.Client(base_url=url, timeout=10) as http:
        card = {
            "cardId": f"bench-{run}",
            "cardNum": "4242424242424242",
            "expiryDate": "1239",
            "holder": "Bench",
            "cvv": "123",
            "loginName": "bench",
        }
        env = http.post("/v3/cc_directaddcard", json=signed(card)).json()
        assert env["retCode"] == "SUCCESS", env
        for i in range(count):
            env = http.post(
                "/v3/cc_purchasewithtoken",
                json=signed(
                    {
                        "mchOrderNo": f"B{run}-{i}",
                        "cardId": card["cardId"],
                        "amount": 100 + i,
                        "loginName": "bench",
                    }
                ),
            ).json()
            assert env["retCode"] == "SUCCESS", env
            ids.append(env["retData"]["payOrderId"])
    return ids


def request_bytes(host: str, pay_order_id: str) -> bytes:
    params: dict[str, object] = {"mchId": MCH, "payOrderId": pay_order_id}
    params["sign"] = sign(params, KEY)
    body = json.dumps(params, separators=(",", ":")).encode()
    head = (
        f"POST /v3/cc_query HTTP/1.1\r\nHost: {host}\r\n"
        "Content-Type: application/json;charset=UTF-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


async def worker(
    host: str, port: int, ids: list[str], stop_at: float, latencies: list[float], errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    rng = random.Random()
    try:
        while time.perf_counter() < stop_at:
            req = request_bytes(f"{host}:{port}", rng.choice(ids))  # signed per request
            start = time.perf_counter()
            writer.write(req)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if not head.startswith(b"HTTP/1.1 200") or b'"retCode":"SUCCESS"' not in body:
                errors.append(body[:80].decode("utf-8", "replace"))
    finally:
        writer.close()
        await writer.wait_closed()


async def load(
    url: str, ids: list[str], connections: int, seconds: float
) -> tuple[list[float], list[str], float]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    stop_at = start + seconds
    await asyncio.gather(
        *(worker(host, port, ids, stop_at, latencies, errors) for _ in range(connections))
    )
    return latencies, errors, time.perf_counter() - start


def run_load(
    url: str, ids: list[str], connections: int, seconds: float
) -> tuple[list[float], list[str], float]:
    try:
        import uvloop

        return uvloop.run(load(url, ids, connections, seconds))
    except ImportError:
        return asyncio.run(load(url, ids, connections, seconds))


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(label: str, latencies: list[float], errors: list[str], elapsed: float) -> None:
    qs = statistics.quantiles(latencies, n=100, method="inclusive")
    print(
        f"{label}: {len(latencies)} requests in {elapsed:.1f} s"
        f" = {len(latencies) / elapsed:,.0f} req/s"
        f"  p50 {qs[49] * 1000:.2f} ms  p99 {qs[98] * 1000:.2f} ms  errors {len(errors)}"
    )
    if errors:
        print(f"  first error: {errors[0]!r}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=10.0, help="measured seconds")
    ap.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--orders", type=int, default=200, help="orders to query among")
    ap.add_argument("--in-process", action="store_true", help="server on a thread here")
    args = ap.parse_args()

    proc: subprocess.Popen[str] | None = None
    srv: SandboxServer | None = None
    if args.in_process:
        srv = SandboxServer()
        url = srv.start_in_thread()
    else:
        proc = subprocess.Popen(
            [sys.executable, "-m", "iotpay_desk", "sandbox", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        match = READY.search(proc.stdout.readline())
        assert match, "the sandbox did not start"
        url = match.group(1)
    try:
        print(
            f"sandbox at {url} ({'thread' if args.in_process else 'own process'}), "
            f"{os.cpu_count()} CPUs, {args.connections} connections"
        )
        ids = seed_orders(url, args.orders)
        run_load(url, ids, args.connections, args.warmup)
        cpu0 = cpu_seconds(proc.pid) if proc is not None else None
        latencies, errors, elapsed = run_load(url, ids, args.connections, args.duration)
        cpu1 = cpu_seconds(proc.pid) if proc is not None else None
        report("signed cc_query", latencies, errors, elapsed)
        if cpu0 is not None and cpu1 is not None and latencies:
            per_request = (cpu1 - cpu0) / len(latencies)
            print(
                f"  server CPU {per_request * 1e6:.0f} µs per request "
                f"(one core's worth: {1 / per_request:,.0f} req/s)"
            )
        return 1 if errors else 0
    finally:
        if srv is not None:
            srv.stop_in_thread()
        if proc is not None:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    sys.exit(main())
