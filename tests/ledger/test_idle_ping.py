"""A pooled PostgreSQL connection that died while idle (the server restarted, a firewall
dropped it) is replaced before use: the next call works instead of saying the ledger is
gone. A connection in steady use is not pinged (one round trip less per transaction)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from iotpay_desk import ledger
from iotpay_desk.journal.errors import LedgerUnavailable
from iotpay_desk.ledger import engine as ledger_engine
from iotpay_desk.ledger.journal import LedgerJournal
from tests.plugins.postgres import PostgresServer


@pytest.fixture
def pg(pg_url: str) -> Iterator[Engine]:
    engine = ledger.open_engine(pg_url, pool_size=1, max_overflow=0)
    ledger.migrate(engine)
    yield engine
    engine.dispose()


def _kill_backends(server: PostgresServer, engine: Engine) -> int:
    database = engine.url.database
    with server.admin() as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (database,),
        ).fetchall()
    return len(rows)


def test_a_connection_that_died_while_idle_is_replaced(
    pg: Engine, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = LedgerJournal(pg)
    assert journal.open_actions() == []  # a connection is now in the pool
    monkeypatch.setattr(ledger_engine, "IDLE_PING_S", 0.05)
    assert _kill_backends(postgres_server, pg) == 1
    time.sleep(0.1)
    assert journal.open_actions() == []  # pinged, found dead, replaced: no error


def test_without_the_idle_ping_the_dead_connection_fails_the_call(
    pg: Engine, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the ping prevents (so the test above can fail)."""
    journal = LedgerJournal(pg)
    assert journal.open_actions() == []
    monkeypatch.setattr(ledger_engine, "IDLE_PING_S", 3600.0)
    assert _kill_backends(postgres_server, pg) == 1
    with pytest.raises(LedgerUnavailable):
        journal.open_actions()
    assert journal.open_actions() == []  # the pool was invalidated: the next call works


def test_a_connection_in_steady_use_is_not_pinged(
    pg: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = LedgerJournal(pg)
    journal.open_actions()
    pinged: list[object] = []
    real = pg.dialect.do_ping
    monkeypatch.setattr(pg.dialect, "do_ping", lambda c: pinged.append(c) or real(c))
    for _ in range(20):
        journal.open_actions()
    assert pinged == []
    monkeypatch.setattr(ledger_engine, "IDLE_PING_S", 0.0)
    journal.open_actions()
    assert len(pinged) == 1
