"""Ledger tests run on both backends: a SQLite file in tmp_path and a fresh database on
the session's real PostgreSQL server (tests/plugins/postgres.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from iotpay_desk import ledger
from tests.plugins.postgres import PostgresServer

BACKENDS = ["sqlite", "postgresql"]


def engine_for(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if name == "sqlite":
        return ledger.open_engine(ledger.sqlite_url(tmp_path / "ledger.sqlite3"))
    return ledger.open_engine(request.getfixturevalue("pg_url"))


@pytest.fixture(params=BACKENDS)
def empty_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database of each backend."""
    engine = engine_for(request.param, request, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_head_template(postgres_server: PostgresServer) -> str:
    """A PostgreSQL database Alembic brought to head, copied for each test (faster than
    migrating each one)."""
    name = "ledger_head_template"
    with postgres_server.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE ledger_template')
    engine = ledger.open_engine(postgres_server.url(name))
    ledger.migrate(engine)
    engine.dispose()
    return name


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database of each backend, brought to head by Alembic."""
    if request.param == "sqlite":
        engine = engine_for("sqlite", request, tmp_path)
        ledger.migrate(engine)
        yield engine
        engine.dispose()
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("pg_head_template")
    name = f"test_{next(server.databases)}"
    with server.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
    engine = ledger.open_engine(server.url(name))
    yield engine
    engine.dispose()
    with server.admin() as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def pg_module_engine(postgres_server: PostgresServer) -> Iterator[Engine]:
    """One migrated PostgreSQL database for a module's property tests."""
    name = f"module_{next(postgres_server.databases)}"
    with postgres_server.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE ledger_template')
    engine = ledger.open_engine(postgres_server.url(name))
    ledger.migrate(engine)
    yield engine
    engine.dispose()
    with postgres_server.admin() as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
