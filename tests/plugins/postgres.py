"""A real, throwaway PostgreSQL server for the test session, from Debian's ``postgresql``
binaries (the highest version under /usr/lib/postgresql/*/bin).

``pg_url``: a fresh empty database per test (``CREATE DATABASE … TEMPLATE``), as a
SQLAlchemy URL ``postgresql+psycopg://postgres@127.0.0.1:<port>/<db>``.

PostgreSQL refuses to run as root (tests and CI do): then initdb and pg_ctl run as the
``postgres`` system user through ``runuser``. The cluster lives in a temporary directory
owned by that user, listens on 127.0.0.1 only on a free port (its socket in the same
directory), trusts local connections, and is stopped and deleted when the session ends.
Durability is off (fsync): it is a test server.

No binaries: the tests that need the server skip, except under CI (``CI`` set), where
they fail: CI must not pass without PostgreSQL. (pytest-postgresql's executor calls
pg_ctl as the current user and has no option to run it as another one, hence this.)
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import psycopg

_VERSION_DIR = re.compile(r"^\d+(\.\d+)?$")


def find_bin_dir(root: Path = Path("/usr/lib/postgresql")) -> Path | None:
    """The ``bin`` directory of the highest PostgreSQL version installed, or None."""
    found = [
        d / "bin"
        for d in (root.iterdir() if root.is_dir() else ())
        if _VERSION_DIR.match(d.name) and (d / "bin" / "pg_ctl").is_file()
    ]
    found.sort(key=lambda b: tuple(int(p) for p in b.parent.name.split(".")))
    return found[-1] if found else None


@dataclass
class PostgresServer:
    bin_dir: Path
    base: Path
    port: int
    run_as: list[str]
    started_in: float = 0.0
    version: str = ""
    databases: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.base / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.run_as, *args],
            cwd=self.base,
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "LC_ALL": "C",
                "HOME": str(self.base),
            },
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def admin(self) -> psycopg.Connection[Any]:
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required under CI: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL for these tests: {reason}")


def _check(server: PostgresServer, result: subprocess.CompletedProcess[str], what: str) -> None:
    if result.returncode != 0:
        log = server.base / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(
            f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{tail}"
        )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        _unavailable("Debian's postgresql package is not installed (/usr/lib/postgresql/*/bin)")
        raise AssertionError  # not reached
    base = Path(tempfile.mkdtemp(prefix="iotpay-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            owner = None
        if runuser is None or owner is None:
            shutil.rmtree(base, ignore_errors=True)
            _unavailable("running as root needs runuser and the postgres system user")
        assert runuser is not None
        assert owner is not None
        os.chown(base, owner.pw_uid, owner.pw_gid)
        run_as = [runuser, "-u", "postgres", "--"]
    os.chmod(base, 0o700)
    server = PostgresServer(bin_dir=bin_dir, base=base, port=_free_port(), run_as=run_as)
    t0 = time.perf_counter()
    started = False
    try:
        _check(
            server,
            server.run(
                str(bin_dir / "initdb"),
                "-D",
                str(server.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ),
            "initdb",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {server.port} -k {base} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=50"
        )
        _check(
            server,
            server.run(
                str(bin_dir / "pg_ctl"),
                "start",
                "-D",
                str(server.data),
                "-w",
                "-t",
                "60",
                "-l",
                str(base / "server.log"),
                "-o",
                options,
            ),
            "pg_ctl start",
        )
        started = True
        with server.admin() as conn:
            row = conn.execute("SHOW server_version").fetchone()
            server.version = str(row[0]) if row else "?"
            conn.execute("CREATE DATABASE ledger_template TEMPLATE template0")
        server.started_in = time.perf_counter() - t0
        _started.append(server)
        yield server
    finally:
        if started:
            server.run(str(bin_dir / "pg_ctl"), "stop", "-D", str(server.data), "-m", "immediate")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A new empty database on the session's server, dropped after the test."""
    name = f"test_{next(postgres_server.databases)}"
    with postgres_server.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE ledger_template STRATEGY FILE_COPY')
    yield postgres_server.url(name)
    with postgres_server.admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_started: list[PostgresServer] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for server in _started:
        terminalreporter.write_line(
            f"postgresql {server.version} on 127.0.0.1:{server.port}: "
            f"started in {server.started_in:.2f}s (initdb + pg_ctl start + template)"
        )


def pytest_report_header(config: pytest.Config) -> str | None:
    bin_dir = find_bin_dir()
    return f"postgresql: {bin_dir}" if bin_dir else "postgresql: not installed"
