"""``iotpay-desk sandbox`` as a real process: the ready line, signals, flags, its data file."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from iotpay_desk.api import sign
from iotpay_desk.sandbox.cli import build_parser

from .helpers import bind_card, charge, query, signed

READY = re.compile(r"IOTPay sandbox listening on (http://127\.0\.0\.1:\d+)")


def _readline(proc: subprocess.Popen[str], timeout: float) -> str:
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()))  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    if not line:
        proc.kill()
        raise AssertionError("the sandbox printed no ready line in time")
    return line[0]


@contextmanager
def sandbox_process(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "iotpay_desk", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = _readline(proc, 20)
        match = READY.fullmatch(first.rstrip("\n"))
        assert match, f"unexpected first line: {first!r}"
        yield proc, match.group(1)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_prints_the_ready_line_serves_and_exits_0_on_signal(sig: signal.Signals) -> None:
    with sandbox_process() as (proc, url):
        with httpx.Client(base_url=url) as http:
            order = charge(http, bind_card(http), amount=321)
            assert query(http, payOrderId=order["payOrderId"])["amount"] == 321
        proc.send_signal(sig)
        assert proc.wait(10) == 0
        assert proc.stdout is not None
        assert proc.stdout.read() == ""  # exactly one line on stdout
        assert proc.stderr is not None
        err = proc.stderr.read()
        assert "Traceback" not in err
        assert "10000701" in err  # the demo merchant is announced on stderr


def test_merchant_data_and_fault_flags(tmp_path: Path) -> None:
    data = tmp_path / "cli.sqlite3"
    key = "CLI_KEY_abcdef0123456789"
    args = ("--merchant", f"55500001:{key}:cashier1", "--data", str(data), "--time-scale", "60")
    with sandbox_process(*args, "--fault", "drop_after_commit:cc_directaddcard:1") as (proc, url):
        base = {
            "mchId": "55500001",
            "cardId": "cli-card",
            "cardNum": "4242424242424242",
            "holder": "Jo",
            "cvv": "123",
            "loginName": "cashier1",
        }
        with httpx.Client(base_url=url) as http:
            with pytest.raises(httpx.RemoteProtocolError):
                http.post("/v3/cc_directaddcard", json={**base, "sign": sign(base, key)})
            q = {"mchId": "55500001", "cardId": "cli-card"}
            env = http.post("/v3/cc_querycard", json={**q, "sign": sign(q, key)}).json()
            assert env["retData"]["cardNum"] == "424242******4242"
            bad = {**base, "cardId": "other", "loginName": "intruder"}
            env = http.post("/v3/cc_directaddcard", json={**bad, "sign": sign(bad, key)}).json()
            assert env["retMsg"].startswith("loginName:")
            # With merchants given, the demo merchant is not created.
            env = http.post("/v3/cc_query", json=signed({"mchOrderNo": "x"})).json()
            assert env["retMsg"].startswith("mchId:")
        proc.terminate()
        assert proc.wait(10) == 0
    with sandbox_process("--data", str(data)) as (proc, url):
        with httpx.Client(base_url=url) as http:
            q = {"mchId": "55500001", "cardId": "cli-card"}
            env = http.post("/v3/cc_querycard", json={**q, "sign": sign(q, key)}).json()
            assert env["retCode"] == "SUCCESS"  # kept in the file across runs
        proc.terminate()
        assert proc.wait(10) == 0


def test_latency_and_error_rate_flags() -> None:
    with sandbox_process("--error-rate", "1", "--latency-ms", "20") as (proc, url):
        with httpx.Client(base_url=url) as http:
            assert http.post("/v3/cc_query", json=signed({"mchOrderNo": "x"})).status_code == 500
            faults = http.get("/sandbox/faults").json()["faults"]
            assert {f["kind"] for f in faults} == {"latency", "error500"}
        proc.terminate()
        assert proc.wait(10) == 0


@pytest.mark.parametrize(
    "args",
    [
        ["--merchant", "nokey"],
        ["--merchant", "1:k:l:extra"],
        ["--cutoff", "25:00"],
        ["--time-scale", "0"],
        ["--fault", "explode"],
        ["--port", "x"],
    ],
)
def test_bad_arguments_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(args)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_a_port_in_use_is_reported_plainly() -> None:
    with sandbox_process() as (proc, url):
        port = url.rsplit(":", 1)[1]
        result = subprocess.run(
            [sys.executable, "-m", "iotpay_desk", "sandbox", "--port", port],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 1
        assert "cannot listen" in result.stderr
        assert "Traceback" not in result.stderr
        proc.terminate()
        assert proc.wait(10) == 0
