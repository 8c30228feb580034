"""Statements built once and compiled once per dialect, run on the driver's cursor: the
ledger's hot writes (every payment's, every order booked), where SQLAlchemy's
per-execution machinery would cost more than the database's own work."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

from .errors import LedgerError

__all__ = ["Statement"]


# A statement compiled for one dialect: its SQL, the order of its parameters (positional
# drivers), its bound constants, and whether it returns rows.
_Compiled = tuple[str, tuple[str, ...] | None, dict[str, Any], bool]


class Statement:
    """A statement built once, compiled once per dialect (``keys``: the columns an
    INSERT or UPDATE sets from the parameters) and run on the connection's DB-API
    cursor: a call costs the driver's execute and nothing else (no statement building,
    cache key, cache look-up or result object, which cost five to ten times the
    driver's own work). Its rows are plain tuples in the statement's column order.

    A driver error takes SQLAlchemy's own path for a failed execute
    (``Connection._handle_dbapi_exception``, the path of ``exec_driver_sql``): it is
    wrapped as SQLAlchemy's exception (``IntegrityError`` …), the engine's
    ``handle_error`` turns a ledger that cannot be reached into
    :class:`LedgerUnavailable`, and a dead connection is invalidated with its pool."""

    __slots__ = ("_compiled", "keys", "stmt")

    def __init__(self, stmt: ClauseElement, keys: tuple[str, ...] = ()) -> None:
        self.stmt = stmt
        self.keys = keys
        self._compiled: dict[Dialect, _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.stmt.compile(dialect=dialect, column_keys=list(self.keys) or None)
        assert isinstance(compiled, SQLCompiler)
        order = tuple(compiled.positiontup) if compiled.positiontup is not None else None
        # The bound constants (IN lists, CASE values, LIMIT); the rest come with each call.
        constants = {
            k: v
            for k, v in compiled.construct_params(_check=False).items()
            if v is not None and k not in self.keys and not _is_required(v)
        }
        # Whether to fetch: asking the cursor (its description) costs psycopg a column
        # object per column at every call.
        dml = compiled.isinsert or compiled.isupdate or compiled.isdelete
        rows = bool(compiled.effective_returning) or not dml
        found = (str(compiled), order, constants, rows)
        self._compiled[dialect] = found
        return found

    def __call__(self, conn: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """The statement's rows (none for a statement without RETURNING)."""
        found = self._compiled.get(conn.dialect)
        sql, order, constants, returns_rows = found or self._compile(conn.dialect)
        if constants:
            params = {**constants, **params}
        args: Any = tuple([params[k] for k in order]) if order is not None else params
        try:
            cursor = conn.connection.dbapi_connection.execute(sql, args)  # type: ignore[union-attr]
            rows: list[tuple[Any, ...]] = cursor.fetchall() if returns_rows else []
            cursor.close()
        except BaseException as exc:
            conn._handle_dbapi_exception(exc, sql, args, None, None)
        return rows

    def first(self, conn: Connection, params: dict[str, Any]) -> tuple[Any, ...] | None:
        rows = self(conn, params)
        return rows[0] if rows else None

    def one(self, conn: Connection, params: dict[str, Any]) -> tuple[Any, ...]:
        rows = self(conn, params)
        if len(rows) != 1:
            raise LedgerError(f"expected one row, got {len(rows)}")
        return rows[0]


def _is_required(value: Any) -> bool:
    return type(value).__name__ == "symbol"  # SQLAlchemy's REQUIRED marker
