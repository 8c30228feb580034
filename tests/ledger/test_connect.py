"""Opening a shared ledger: each cause of failure is one named error with a code, nothing
is written, and the password never shows (str, repr, log). Against the session's real
PostgreSQL server; roles in the group ``ledger_pw`` must log in with a password."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from iotpay_desk.ledger import connect
from iotpay_desk.ledger.connect import ConnectCode, LedgerConnectError, open_ledger
from iotpay_desk.ledger.errors import LedgerTooNew
from tests.plugins.postgres import PostgresServer

SECRET = "s3cret-Pa55-XyZ"


@pytest.fixture(scope="module")
def server(postgres_server: PostgresServer) -> PostgresServer:
    hba = postgres_server.data / "pg_hba.conf"
    rule = "host all +ledger_pw 127.0.0.1/32 scram-sha-256\n"
    if rule not in hba.read_text():
        hba.write_text(rule + hba.read_text())
    with postgres_server.admin() as conn:
        conn.execute(
            "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledger_pw')"
            " THEN CREATE ROLE ledger_pw NOLOGIN; END IF; END$$"
        )
        conn.execute("SELECT pg_reload_conf()")
    return postgres_server


def _db_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


@pytest.fixture
def writer(server: PostgresServer, pg_url: str) -> str:
    """A role with a password that owns the test database's public schema."""
    db = _db_name(pg_url)
    role = f"w_{db}"
    with server.admin() as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{SECRET}' IN ROLE ledger_pw")
        conn.execute(f'GRANT ALL ON DATABASE "{db}" TO {role}')
    with _admin_db(server, db) as conn:
        conn.execute(f"GRANT CREATE, USAGE ON SCHEMA public TO {role}")  # type: ignore[attr-defined]
    return role


@contextmanager
def _admin_db(server: PostgresServer, db: str) -> Iterator[object]:
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", port=server.port, user="postgres", dbname=db, autocommit=True
    ) as conn:
        yield conn


def _tables(server: PostgresServer, db: str) -> list[str]:
    with _admin_db(server, db) as conn:
        rows = conn.execute(  # type: ignore[attr-defined]
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return sorted(r[0] for r in rows)


def _url(server: PostgresServer, db: str, user: str, sslmode: str = "disable") -> str:
    return f"postgresql://{user}@127.0.0.1:{server.port}/{db}?sslmode={sslmode}"


def _expect(
    code: ConnectCode, caplog: pytest.LogCaptureFixture, *args: object, **kw: object
) -> LedgerConnectError:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(LedgerConnectError) as info:
        open_ledger(*args, **kw)  # type: ignore[arg-type]
    exc = info.value
    assert exc.code is code, (exc.code, str(exc))
    for shown in (str(exc), repr(exc), caplog.text, repr(exc.__cause__), repr(exc.__context__)):
        assert SECRET not in shown
    return exc


def test_happy_path_migrates_a_fresh_database(
    server: PostgresServer, pg_url: str, writer: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    db = _db_name(pg_url)
    engine = open_ledger(_url(server, db, writer, "prefer"), password=SECRET)
    try:
        assert "alembic_version" in _tables(server, db)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        assert SECRET not in repr(engine)
        assert SECRET not in repr(engine.url)
        assert SECRET not in caplog.text
    finally:
        engine.dispose()
    # Opening it again (now at head) works for the same role.
    open_ledger(_url(server, db, writer), password=SECRET).dispose()


@pytest.mark.parametrize(
    ("typed", "code", "part"),
    [
        ("mysql://u@h/db", ConnectCode.NOT_POSTGRESQL_URL, "scheme"),
        ("postgresql+asyncpg://u@h/db", ConnectCode.NOT_POSTGRESQL_URL, "driver"),
        (f"postgresql://u:{SECRET}@h:99999/db", ConnectCode.BAD_URL, "port"),
        (f"postgresql://u:{SECRET}@h:port/db", ConnectCode.BAD_URL, "address"),
        ("postgresql://u@/db", ConnectCode.BAD_URL, "host"),
        ("postgresql://u@h/", ConnectCode.BAD_URL, "database"),
        ("postgresql://h/db", ConnectCode.BAD_URL, "user"),
        ("postgresql://u@h/db?sslmode=maybe", ConnectCode.BAD_URL, "sslmode"),
        ("postgresql://u@h/db?options=-c", ConnectCode.BAD_URL, "options"),
        (f"not a url {SECRET}", ConnectCode.BAD_URL, "address"),
    ],
)
def test_malformed_urls_name_the_part(
    typed: str, code: ConnectCode, part: str, caplog: pytest.LogCaptureFixture
) -> None:
    exc = _expect(code, caplog, typed)
    assert exc.part == part
    assert part in str(exc)


def test_fields_build_the_same_url() -> None:
    url = connect.postgres_url("db.example", "ledger", "shop", port="6543", sslmode="require")
    assert str(url) == "postgresql+psycopg://shop@db.example:6543/ledger?sslmode=require"
    with pytest.raises(connect.BadLedgerUrl) as info:
        connect.postgres_url("db.example", "ledger", "shop", sslmode="allow")
    assert info.value.part == "sslmode"


def test_unknown_host(caplog: pytest.LogCaptureFixture) -> None:
    _expect(
        ConnectCode.HOST_NOT_FOUND,
        caplog,
        "postgresql://u@no-such-host.invalid/db",
        password=SECRET,
        connect_timeout=2,
    )


def test_refused(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: refused
        _expect(ConnectCode.REFUSED, caplog, f"postgresql://u@127.0.0.1:{port}/db", password=SECRET)


@contextmanager
def _fake_server(answer: bytes | None) -> Iterator[int]:
    """A port that accepts and answers ``answer`` (None: says nothing)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        held = []
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            held.append(client)
            if answer is not None:
                client.sendall(answer)
        for c in held:
            c.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_timeout(caplog: pytest.LogCaptureFixture) -> None:
    with _fake_server(None) as port:
        exc = _expect(
            ConnectCode.TIMEOUT,
            caplog,
            f"postgresql://u@127.0.0.1:{port}/db",
            password=SECRET,
            connect_timeout=0.5,
        )
    assert exc.port == port


def test_a_port_that_speaks_something_else(caplog: pytest.LogCaptureFixture) -> None:
    with _fake_server(b"HTTP/1.1 400 Bad Request\r\n\r\n") as port:
        _expect(
            ConnectCode.NOT_POSTGRESQL,
            caplog,
            f"postgresql://u@127.0.0.1:{port}/db",
            password=SECRET,
        )


def test_tls_required_but_the_server_has_none(
    server: PostgresServer, pg_url: str, writer: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = _db_name(pg_url)
    for mode in ("require", "verify-full"):
        _expect(
            ConnectCode.TLS_UNAVAILABLE, caplog, _url(server, db, writer, mode), password=SECRET
        )
    assert _tables(server, db) == []


def test_wrong_password_and_unknown_user(
    server: PostgresServer, pg_url: str, writer: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = _db_name(pg_url)
    _expect(ConnectCode.AUTH_FAILED, caplog, _url(server, db, writer), password=SECRET + "-wrong")
    _expect(ConnectCode.AUTH_FAILED, caplog, _url(server, db, "nobody_here"), password=SECRET)
    # The password typed in the URL itself is not shown either.
    _expect(
        ConnectCode.AUTH_FAILED,
        caplog,
        f"postgresql://{writer}:{SECRET}x@127.0.0.1:{server.port}/{db}?sslmode=disable",
    )
    assert _tables(server, db) == []


def test_missing_database(
    server: PostgresServer, writer: str, caplog: pytest.LogCaptureFixture
) -> None:
    exc = _expect(
        ConnectCode.NO_DATABASE, caplog, _url(server, "no_such_db", "postgres"), password=SECRET
    )
    assert exc.database == "no_such_db"


def test_server_too_old(
    server: PostgresServer,
    pg_url: str,
    writer: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connect, "MIN_SERVER_VERSION", 990000)
    db = _db_name(pg_url)
    exc = _expect(ConnectCode.SERVER_TOO_OLD, caplog, _url(server, db, writer), password=SECRET)
    assert isinstance(exc, connect.ServerTooOld)
    assert exc.version < 990000
    assert _tables(server, db) == []


def test_read_only_role_on_an_empty_database(
    server: PostgresServer, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = _db_name(pg_url)
    role = f"r_{db}"
    with server.admin() as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{SECRET}' IN ROLE ledger_pw")
    _expect(ConnectCode.READ_ONLY, caplog, _url(server, db, role), password=SECRET)
    assert _tables(server, db) == []


def test_read_only_role_on_a_migrated_ledger(
    server: PostgresServer, pg_url: str, writer: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = _db_name(pg_url)
    open_ledger(_url(server, db, writer), password=SECRET).dispose()
    role = f"r_{db}"
    with server.admin() as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{SECRET}' IN ROLE ledger_pw")
    with _admin_db(server, db) as conn:
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")  # type: ignore[attr-defined]
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")  # type: ignore[attr-defined]
        before = conn.execute("SELECT count(*) FROM alembic_version").fetchone()  # type: ignore[attr-defined]
    _expect(ConnectCode.READ_ONLY, caplog, _url(server, db, role), password=SECRET)
    with _admin_db(server, db) as conn:
        after = conn.execute("SELECT count(*) FROM alembic_version").fetchone()  # type: ignore[attr-defined]
    assert before == after


def test_schema_newer_than_this_desk(
    server: PostgresServer, pg_url: str, writer: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = _db_name(pg_url)
    open_ledger(_url(server, db, writer), password=SECRET).dispose()
    with _admin_db(server, db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")  # type: ignore[attr-defined]
    tables = _tables(server, db)
    with pytest.raises(LedgerTooNew):
        open_ledger(_url(server, db, writer), password=SECRET)
    assert _tables(server, db) == tables
