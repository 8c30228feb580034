"""Notify receiver throughput: verified notifications recorded per second, p50/p99.

    uv run python bench/bench_notify.py [--count 2000] [--connections 8]

The receiver (``iotpay_desk.notify``) serves on a thread of this process with a real
journal file (WAL, ``synchronous=FULL``: every notification is on disk before the answer);
the load generator posts freshly signed notifications over ``--connections`` keep-alive
connections, first each order once, then the same orders again (IOTPay's retries), and
checks every answer is ``SUCCESS``. Both share one interpreter lock: a lower bound.

Prints figures; not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from iotpay_desk.api import sign
from iotpay_desk.asgi import Uvicorn, bind, loop_factory
from iotpay_desk.journal import Journal
from iotpay_desk.notify import DEFAULT_PATH, build_app
from iotpay_desk.sandbox import DEMO_MERCHANT

MCH, KEY = DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key


def body(i: int) -> bytes:
    order = {
        "payOrderId": f"PC2025030114000000{i:06d}",
        "mchId": MCH,
        "mchOrderNo": f"bench-{i}",
        "amount": 1000 + i,
        "currency": "CAD",
        "status": 2,
        "payType": "pay",
        "cardNum": "424242******4242",
    }
    order["sign"] = sign(order, KEY)
    return json.dumps(order).encode()


async def post_all(url: str, bodies: list[bytes], connections: int) -> tuple[float, list[float]]:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for b in bodies:
        queue.put_nowait(b)
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, trust_env=False, timeout=30) as http:

        async def worker() -> None:
            while not queue.empty():
                b = queue.get_nowait()
                start = time.perf_counter()
                resp = await http.post(url, content=b)
                latencies.append(time.perf_counter() - start)
                if resp.text != "SUCCESS":
                    raise SystemExit(f"unexpected answer {resp.status_code}: {resp.text}")

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return time.perf_counter() - start, latencies


def report(name: str, elapsed: float, latencies: list[float]) -> None:
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(
        f"{name:<22} {len(ms) / elapsed:8.0f} notifications/s   "
        f"p50 {statistics.median(ms):6.2f} ms   p99 {p99:6.2f} ms   ({len(ms)} in {elapsed:.1f} s)"
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, default=2000)
    p.add_argument("--connections", type=int, default=8)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-notify-") as tmp:
        journal = Journal(Path(tmp) / "journal.sqlite3")
        config = uvicorn.Config(
            build_app(MCH, KEY, journal), log_config=None, access_log=False, lifespan="off"
        )
        server = Uvicorn(config)
        sock, base = bind("127.0.0.1", 0)

        def serve() -> None:
            with asyncio.Runner(loop_factory=loop_factory()) as runner:
                runner.run(server.serve(sockets=[sock]))

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        url = base + DEFAULT_PATH
        bodies = [body(i) for i in range(args.count)]
        first = asyncio.run(post_all(url, bodies, args.connections))
        again = asyncio.run(post_all(url, bodies, args.connections))
        server.should_exit = True
        thread.join(10)
        rows = journal.notifications(MCH, limit=args.count + 10)
        journal.close()
    print(f"notify receiver, {args.connections} connections, journal synchronous=FULL")
    report("first notifications", *first)
    report("retries (counted)", *again)
    times = {n.times for n in rows}
    print(f"journal: {len(rows)} notifications recorded, each counted {sorted(times)} time(s)")
    return 0 if len(rows) == args.count and times == {2} else 1


if __name__ == "__main__":
    sys.exit(main())
