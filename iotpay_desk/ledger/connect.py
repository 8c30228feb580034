"""Open a shared ledger on a PostgreSQL server from what the merchant typed, with one
named error per cause (the setup wizard shows them).

:func:`parse_url` / :func:`postgres_url` turn the typed URL or host/port/database/user/TLS
mode into a SQLAlchemy :class:`~sqlalchemy.engine.URL` (no password: it comes from the
keychain and is passed on its own; it never enters a log, an error message or a repr).
:func:`open_ledger` then checks, in order, and raises a :class:`LedgerConnectError`
subclass whose ``code`` is a :class:`ConnectCode`:

1. the host resolves and accepts TCP (``HOST_NOT_FOUND``, ``REFUSED``, ``UNREACHABLE``,
   ``TIMEOUT``);
2. the port speaks PostgreSQL: it answers the protocol's ``SSLRequest`` with ``S`` or
   ``N`` (``NOT_POSTGRESQL``), and offers TLS when the mode requires it
   (``TLS_UNAVAILABLE``);
3. psycopg logs in (``AUTH_FAILED``, ``NO_DATABASE``); libpq reports no SQLSTATE for a
   failed login, so these are recognised by the SQLSTATE when psycopg has one and
   otherwise by libpq's ``FATAL`` text;
4. the server is PostgreSQL :data:`MIN_SERVER_VERSION` or newer (``SERVER_TOO_OLD``);
5. the role may write (``READ_ONLY``): read-only transactions, the ``CREATE`` privilege on
   the schema when the ledger is still to be created or migrated, ``INSERT``/``UPDATE``
   on its tables otherwise. Only privilege functions are asked: nothing is written;
6. :func:`~iotpay_desk.ledger.migrate.migrate` (``LedgerTooNew``/``NotALedger`` as ever).

PostgreSQL 13 is the minimum: the oldest release its developers still supported when
the ledger was written (13 reaches end of life in November 2025), and what the schema's
``GENERATED … AS IDENTITY`` columns and ``pg_advisory_xact_lock`` need with room to spare.
"""

from __future__ import annotations

import enum
import logging
import socket
import struct
from typing import Any

import psycopg
import psycopg.errors
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url

from .engine import open_engine
from .errors import LedgerError
from .migrate import head, migrate
from .schema import metadata

__all__ = [
    "MIN_SERVER_VERSION",
    "SSL_MODES",
    "AuthFailed",
    "BadLedgerUrl",
    "ConnectCode",
    "DatabaseMissing",
    "LedgerConnectError",
    "NotPostgres",
    "ReadOnlyRole",
    "ServerTooOld",
    "ServerUnreachable",
    "TlsUnavailable",
    "open_ledger",
    "parse_url",
    "postgres_url",
]

log = logging.getLogger(__name__)

MIN_SERVER_VERSION = 130000  # PostgreSQL 13.0, as libpq's server_version integer
SSL_MODES = ("disable", "prefer", "require", "verify-full")
DEFAULT_PORT = 5432
_SSL_REQUEST = struct.pack("!ii", 8, 80877103)


class ConnectCode(enum.Enum):
    BAD_URL = "bad-url"
    NOT_POSTGRESQL_URL = "not-postgresql-url"
    HOST_NOT_FOUND = "host-not-found"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    NOT_POSTGRESQL = "not-postgresql"
    TLS_UNAVAILABLE = "tls-unavailable"
    AUTH_FAILED = "auth-failed"
    NO_DATABASE = "no-database"
    SERVER_TOO_OLD = "server-too-old"
    READ_ONLY = "read-only"
    FAILED = "failed"


class LedgerConnectError(LedgerError):
    """The shared ledger cannot be opened. ``code`` says why; the other attributes are
    safe to show (never a password)."""

    code: ConnectCode = ConnectCode.FAILED

    def __init__(
        self,
        message: str,
        *,
        code: ConnectCode | None = None,
        host: str | None = None,
        port: int | None = None,
        database: str | None = None,
        user: str | None = None,
        part: str | None = None,
        sqlstate: str | None = None,
    ) -> None:
        if code is not None:
            self.code = code
        self.host, self.port, self.database, self.user = host, port, database, user
        self.part = part
        self.sqlstate = sqlstate
        super().__init__(message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code.value}, {str(self)!r})"


class BadLedgerUrl(LedgerConnectError):
    """``BAD_URL`` or ``NOT_POSTGRESQL_URL``; ``part`` names what is wrong."""

    code = ConnectCode.BAD_URL


class ServerUnreachable(LedgerConnectError):
    """``HOST_NOT_FOUND``, ``UNREACHABLE``, ``REFUSED`` or ``TIMEOUT``."""

    code = ConnectCode.UNREACHABLE


class NotPostgres(LedgerConnectError):
    code = ConnectCode.NOT_POSTGRESQL


class TlsUnavailable(LedgerConnectError):
    code = ConnectCode.TLS_UNAVAILABLE


class AuthFailed(LedgerConnectError):
    """Wrong password or unknown user (PostgreSQL does not say which)."""

    code = ConnectCode.AUTH_FAILED


class DatabaseMissing(LedgerConnectError):
    code = ConnectCode.NO_DATABASE


class ServerTooOld(LedgerConnectError):
    code = ConnectCode.SERVER_TOO_OLD

    def __init__(self, message: str, *, version: int, **kw: Any) -> None:
        self.version = version
        super().__init__(message, **kw)


class ReadOnlyRole(LedgerConnectError):
    code = ConnectCode.READ_ONLY


# --- what the user typed --------------------------------------------------------------


def _bad(part: str, rule: str, code: ConnectCode = ConnectCode.BAD_URL) -> BadLedgerUrl:
    what = "the ledger address" if part == "address" else f"the ledger address's {part}"
    return BadLedgerUrl(f"{what} {rule}", code=code, part=part)


def postgres_url(
    host: str,
    database: str,
    user: str,
    *,
    port: int | str | None = None,
    sslmode: str = "prefer",
) -> URL:
    """A checked URL from the wizard's fields (the password is never part of it)."""
    host = host.strip()
    if not host or any(c in host for c in ",/ @"):
        raise _bad("host", "must be one host name or address")
    if port in (None, ""):
        port_n = DEFAULT_PORT
    else:
        try:
            port_n = int(port)
        except ValueError:
            raise _bad("port", "must be a number from 1 to 65535") from None
        if not 0 < port_n < 65536:
            raise _bad("port", "must be a number from 1 to 65535")
    if not database.strip():
        raise _bad("database", "must not be empty")
    if not user.strip():
        raise _bad("user", "must not be empty")
    if sslmode not in SSL_MODES:
        raise _bad("sslmode", "must be one of " + ", ".join(SSL_MODES))
    return URL.create(
        "postgresql+psycopg",
        username=user.strip(),
        host=host,
        port=port_n,
        database=database.strip(),
        query={"sslmode": sslmode},
    )


def parse_url(text: str | URL) -> tuple[URL, str | None]:
    """``(url without password, password typed in the URL or None)`` for a typed
    ``postgresql://user@host:port/database?sslmode=…`` (``postgres://`` too)."""
    if isinstance(text, URL):
        url = text
    else:
        raw = text.strip()
        if raw.startswith("postgres://"):
            raw = "postgresql://" + raw[len("postgres://") :]
        try:
            url = make_url(raw)
        except Exception:
            # SQLAlchemy's message quotes the whole text, password included: not chained.
            raise _bad(
                "address", "is not a URL like postgresql://user@host:5432/database"
            ) from None
    if url.get_backend_name() != "postgresql":
        raise _bad(
            "scheme",
            f"must be postgresql://, not {url.get_backend_name()}://",
            ConnectCode.NOT_POSTGRESQL_URL,
        )
    if url.get_driver_name() not in ("psycopg", "psycopg2"):  # psycopg2: SQLAlchemy's default
        raise _bad("driver", "must be psycopg", ConnectCode.NOT_POSTGRESQL_URL)
    unknown = sorted(set(url.query) - {"sslmode"})
    if unknown:
        raise _bad("options", "may only set sslmode, not " + ", ".join(unknown))
    sslmode = url.query.get("sslmode", "prefer")
    if not isinstance(sslmode, str):
        raise _bad("sslmode", "must be given once")
    try:
        port = url.port
    except ValueError:
        raise _bad("port", "must be a number from 1 to 65535") from None
    return (
        postgres_url(
            url.host or "",
            url.database or "",
            url.username or "",
            port=port,
            sslmode=sslmode,
        ),
        url.password if url.password else None,
    )


# --- reaching the server --------------------------------------------------------------


def _where(url: URL) -> dict[str, Any]:
    return {"host": url.host, "port": url.port, "database": url.database, "user": url.username}


def _probe(url: URL, timeout: float) -> bool:
    """TCP connect and PostgreSQL's SSLRequest; True when the server offers TLS."""
    host, port = str(url.host), int(url.port or DEFAULT_PORT)
    at = f"{host}:{port}"
    where = _where(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise ServerUnreachable(
            f"the host {host} was not found", code=ConnectCode.HOST_NOT_FOUND, **where
        ) from None
    last: OSError | None = None
    for family, kind, proto, _name, addr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            try:
                sock.connect(addr)
            except TimeoutError as e:
                last = e
                continue
            except ConnectionRefusedError as e:
                last = e
                continue
            except OSError as e:
                last = e
                continue
            try:
                sock.sendall(_SSL_REQUEST)
                answer = sock.recv(1)
            except TimeoutError:
                raise ServerUnreachable(
                    f"{at} accepted the connection but did not answer within {timeout:g} s",
                    code=ConnectCode.TIMEOUT,
                    **where,
                ) from None
            except OSError:
                answer = b""
            if answer not in (b"S", b"N"):
                raise NotPostgres(f"{at} does not answer as a PostgreSQL server", **where)
            return answer == b"S"
        finally:
            sock.close()
    if isinstance(last, TimeoutError):
        raise ServerUnreachable(
            f"{at} did not answer within {timeout:g} s", code=ConnectCode.TIMEOUT, **where
        )
    if isinstance(last, ConnectionRefusedError):
        raise ServerUnreachable(
            f"{at} refused the connection (no server on that port?)",
            code=ConnectCode.REFUSED,
            **where,
        )
    raise ServerUnreachable(f"{at} cannot be reached from this computer", **where)


_AUTH_STATES = {"28P01", "28000"}
_NO_DB_STATES = {"3D000"}


def _login_error(exc: psycopg.Error, url: URL) -> LedgerConnectError:
    where = _where(url)
    state = exc.sqlstate
    if state is None:
        # libpq keeps no SQLSTATE for a refused login; its server-side FATAL text is the
        # only thing left (the server's messages are in English unless lc_messages says
        # otherwise: then the error stays FAILED, with the state unknown).
        text = str(exc)
        if "password authentication failed" in text or (
            "role " in text and "does not exist" in text
        ):
            state = "28P01"
        elif "database " in text and "does not exist" in text:
            state = "3D000"
        elif "SSL" in text or "certificate" in text:
            return TlsUnavailable(
                f"TLS with {url.host} failed ({url.query.get('sslmode')})", **where
            )
    if state in _AUTH_STATES:
        return AuthFailed(
            f"the server refused user {url.username}: wrong password or unknown user",
            sqlstate=state,
            **where,
        )
    if state in _NO_DB_STATES:
        return DatabaseMissing(
            f"the database {url.database} does not exist on {url.host}", sqlstate=state, **where
        )
    return LedgerConnectError(
        f"cannot connect to {url.host}:{url.port} ({type(exc).__name__}"
        + (f", SQLSTATE {state})" if state else ")"),
        sqlstate=state,
        **where,
    )


def _check_server(conn: psycopg.Connection[Any], url: URL) -> None:
    where = _where(url)
    version = conn.info.server_version
    if version < MIN_SERVER_VERSION:
        raise ServerTooOld(
            f"the server runs PostgreSQL {version // 10000}.{version % 10000}; "
            f"the ledger needs {MIN_SERVER_VERSION // 10000} or newer",
            version=version,
            **where,
        )
    row = conn.execute("SHOW transaction_read_only").fetchone()
    if row and row[0] == "on":
        raise ReadOnlyRole(
            f"the database {url.database} on {url.host} is read-only (a standby?)", **where
        )
    schema_row = conn.execute("SELECT current_schema()").fetchone()
    schema = schema_row[0] if schema_row else None
    if schema is None:
        raise ReadOnlyRole(f"user {url.username} has no schema to write in", **where)
    version_row = conn.execute(
        "SELECT to_regclass(quote_ident(%s) || '.alembic_version')", (schema,)
    ).fetchone()
    at_head = False
    if version_row and version_row[0] is not None:
        rev = conn.execute(
            "SELECT version_num FROM " + str(version_row[0])  # noqa: S608 (a regclass name)
        ).fetchone()
        at_head = rev is not None and rev[0] == head()
    if not at_head:
        ok = conn.execute("SELECT has_schema_privilege(%s, 'CREATE')", (schema,)).fetchone()
        if not (ok and ok[0]):
            raise ReadOnlyRole(
                f"user {url.username} may not create the ledger's tables in schema {schema}",
                **where,
            )
        return
    for table in [*metadata.tables, "alembic_version"]:
        for privilege in ("INSERT", "UPDATE"):
            got = conn.execute(
                "SELECT to_regclass(quote_ident(%s) || '.' || quote_ident(%s)) IS NULL"
                " OR has_table_privilege(quote_ident(%s) || '.' || quote_ident(%s), %s)",
                (schema, table, schema, table, privilege),
            ).fetchone()
            if not (got and got[0]):
                raise ReadOnlyRole(
                    f"user {url.username} may not {privilege} into the ledger's table {table}",
                    **where,
                )
    conn.rollback()


def open_ledger(
    url: str | URL,
    *,
    password: str | None = None,
    connect_timeout: float = 5.0,
    **engine_kw: Any,
) -> Engine:
    """An engine on the shared ledger at ``url``, migrated to head; or one
    :class:`LedgerConnectError` (or :class:`LedgerTooNew`/:class:`NotALedger`) naming why
    not, with nothing written."""
    checked, typed_password = parse_url(url)
    if password is None:
        password = typed_password
    sslmode = str(checked.query.get("sslmode", "prefer"))
    where = _where(checked)
    log.info("opening the shared ledger %s", checked)  # URL str() has no password
    tls_offered = _probe(checked, connect_timeout)
    if sslmode in ("require", "verify-full") and not tls_offered:
        raise TlsUnavailable(
            f"sslmode {sslmode} needs TLS but {checked.host}:{checked.port} offers none",
            **where,
        )
    params: dict[str, Any] = {
        "host": checked.host,
        "port": checked.port,
        "dbname": checked.database,
        "user": checked.username,
        "sslmode": sslmode,
        "connect_timeout": max(1, round(connect_timeout)),
    }
    try:
        conn = psycopg.connect(**params, password=password)
    except psycopg.Error as e:
        raise _login_error(e, checked) from None
    try:
        _check_server(conn, checked)
    finally:
        conn.close()
    engine = open_engine(
        checked.set(password=password).difference_update_query(["sslmode"]),
        connect_args={"sslmode": sslmode, "connect_timeout": params["connect_timeout"]},
        **engine_kw,
    )
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    log.info("shared ledger %s is at revision %s", checked, head())
    return engine
