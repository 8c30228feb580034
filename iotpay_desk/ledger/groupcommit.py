"""Group commit for a SQLite ledger: the writes this process makes at the same time share
one transaction and one COMMIT, so one fsync makes a whole batch durable.

Why: a SQLite file has one writer at a time, and with ``synchronous=FULL`` every COMMIT
waits for the disk (an fsync of the WAL, some milliseconds). Writers taking turns, one
transaction each, are bounded by the disk's fsyncs per second, whatever the CPU. Making
the sync weaker would trade durability for speed; batching does not: every write is still
on disk before its caller goes on.

How ("the last one in commits"; no thread or timer of its own):

- One write at a time holds the batch's connection; the others wait for it in turn.
- The first write of a batch takes a connection from the engine's pool and opens the
  transaction with ``BEGIN IMMEDIATE`` (the file's write lock, as every ledger write
  does, so other processes are kept out). Each later write of the batch runs inside its
  own ``SAVEPOINT``: its checks see the batch's earlier writes (as they would see them
  committed if the writes came one after the other), and if it fails, ``ROLLBACK TO``
  undoes it alone; the others' work stays.
- A write that has finished (written or failed) commits the batch when no other write is
  waiting for the connection, or when the batch is full (``max_batch``); otherwise it
  hands the connection on and waits. A lone write therefore commits at once, exactly as
  before: ``BEGIN IMMEDIATE``, its statements, ``COMMIT``. Nothing ever waits for a
  write that has not arrived yet.
- Every write of a batch is answered after the batch's ``COMMIT`` has returned: what it
  wrote is on disk before its caller goes on. A write that failed is answered then too,
  with its own exception (its checks may have read earlier writes of the batch, which
  count only once committed). If the ``COMMIT`` fails, or SQLite rolled the whole
  transaction back (a full disk, an I/O error), every write of the batch raises
  :class:`LedgerBatchFailed` and nothing of the batch is in the file.
  The first write of a batch, if it fails, rolls the transaction back and is answered at
  once: nothing else is in it yet.

Why not a writer thread that runs the requests: a write's body is the journal method's
own code (``with self._write() as conn: ...``) running on the caller's thread; sending
each statement to another thread would cost two thread switches per statement under the
interpreter lock, and changing every write method into a closure for no other gain. The
batch's COMMIT is made by whichever write of it comes last.

PostgreSQL needs none of this: concurrent transactions on their own connections commit
in groups in the server (a backend whose WAL was flushed by another's fsync does not
flush again).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import DBAPIError

from .errors import LedgerError

__all__ = ["MAX_BATCH", "GroupCommit", "GroupCommitStats", "LedgerBatchFailed", "group_commit"]

MAX_BATCH = 64
"""Writes in one batch at most: the first of a batch waits for at most this many bodies
before its COMMIT, and other processes for as long to get the file's write lock."""


# The savepoint each later write of a batch runs in: SQL of its own, four times cheaper
# than SQLAlchemy's begin_nested() (which a write's body may still use inside it).
_SAVEPOINT = "ledger_write"


class LedgerBatchFailed(LedgerError):
    """The transaction this write was part of could not be committed: nothing of it was
    written (the write did not happen)."""


@dataclass(frozen=True)
class GroupCommitStats:
    """What a :class:`GroupCommit` has done so far: committed batches, the writes they
    held (failed ones included) and the largest batch; batches rolled back not counted."""

    batches: int
    writes: int
    largest: int

    def __str__(self) -> str:
        mean = self.writes / self.batches if self.batches else 0.0
        return (
            f"group commit: {self.writes} writes in {self.batches} commits "
            f"({mean:.1f} a commit, {self.largest} at most)"
        )


@dataclass(eq=False)
class _Batch:
    conn: Connection
    txn: RootTransaction
    size: int = 0
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupCommit:
    """The write transactions of one SQLite ledger engine in this process, batched (see
    the module docstring). Thread-safe; :meth:`write` is what ``LedgerJournal._write``
    does on SQLite."""

    def __init__(self, engine: Engine, *, max_batch: int = MAX_BATCH) -> None:
        if engine.dialect.name != "sqlite":
            raise ValueError("group commit is for a SQLite ledger")
        if max_batch < 1:
            raise ValueError("max_batch: must be 1 or more")
        self.engine = engine
        self.max_batch = max_batch
        self._cond = threading.Condition(threading.Lock())
        self._holder: int | None = None  # the thread that has the connection
        self._waiting = 0  # threads waiting for it
        self._batch: _Batch | None = None
        self._batches = 0
        self._writes = 0
        self._largest = 0

    @property
    def stats(self) -> GroupCommitStats:
        with self._cond:
            return GroupCommitStats(self._batches, self._writes, self._largest)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write: the connection to write with, inside the batch's transaction. The
        ``with`` block returns once its batch is committed; an exception in it undoes what
        it wrote, alone, and is raised again after the batch's commit."""
        self._take()
        failure: BaseException | None = None
        try:
            batch = self._batch
            first = batch is None
            if batch is None:
                batch = self._open()
            try:
                if not first:
                    _run(batch.conn, f"SAVEPOINT {_SAVEPOINT}")
            except BaseException as exc:
                self._end(batch, exc)
                raise
            try:
                yield batch.conn
            except BaseException as exc:
                failure = exc
            batch.size += 1
            if failure is not None and first:
                self._end(batch, None, commit=False)
                raise failure
            if not first:
                self._leave_savepoint(batch, failure)
            if self._batch is batch and (batch.size >= self.max_batch or not self._waited_for()):
                self._end(batch, None)
        finally:
            self._give()
        batch.done.wait()
        if batch.error is not None:
            raise LedgerBatchFailed(
                f"the ledger could not commit this write: {_reason(batch.error)}"
            ) from batch.error
        if failure is not None:
            raise failure

    # ------------------------------------------------------------------ batches

    def _open(self) -> _Batch:
        conn = self.engine.connect()
        try:
            conn.execution_options(ledger_begin="IMMEDIATE")
            batch = _Batch(conn, conn.begin())
        except BaseException:
            conn.close()
            raise
        self._batch = batch
        return batch

    def _leave_savepoint(self, batch: _Batch, failure: BaseException | None) -> None:
        try:
            if failure is None:
                _run(batch.conn, f"RELEASE {_SAVEPOINT}")
            elif _in_transaction(batch):
                _run(batch.conn, f"ROLLBACK TO {_SAVEPOINT}")
                _run(batch.conn, f"RELEASE {_SAVEPOINT}")
            else:  # SQLite rolled the whole transaction back: the batch is lost
                self._end(batch, failure)
        except BaseException as exc:
            self._end(batch, exc)

    def _end(self, batch: _Batch, error: BaseException | None, *, commit: bool = True) -> None:
        """Commit the batch (unless ``error`` or not ``commit``: roll it back) and answer
        its writes."""
        try:
            if error is None and commit:
                try:
                    batch.txn.commit()
                except BaseException as exc:
                    error = exc
            if error is not None or not commit:
                # If even that fails, closing the connection below rolls it back.
                with suppress(Exception):
                    batch.txn.rollback()
        finally:
            batch.conn.close()
            batch.error = error
            self._batch = None
            if commit and error is None:
                with self._cond:
                    self._batches += 1
                    self._writes += batch.size
                    self._largest = max(self._largest, batch.size)
            batch.done.set()

    # ------------------------------------------------------------------ the connection

    def _take(self) -> None:
        me = threading.get_ident()
        with self._cond:
            if self._holder == me:
                raise RuntimeError("a ledger write inside another write on the same thread")
            self._waiting += 1
            try:
                while self._holder is not None:
                    self._cond.wait()
            except BaseException:
                self._cond.notify()  # pass on a wake-up this thread may have taken
                raise
            finally:
                self._waiting -= 1
            self._holder = me

    def _give(self) -> None:
        with self._cond:
            self._holder = None
            self._cond.notify()

    def _waited_for(self) -> bool:
        with self._cond:
            return self._waiting > 0


def _run(conn: Connection, sql: str) -> None:
    """``sql`` on the batch's connection through the driver's cursor (a savepoint taken
    or left per write: SQLAlchemy's statement machinery would cost more than SQLite's
    work). A driver error takes SQLAlchemy's own path for a failed execute, as
    ``exec_driver_sql`` would."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        cursor.close()
    except BaseException as exc:
        conn._handle_dbapi_exception(exc, sql, (), cursor, None)


def _reason(exc: BaseException) -> str:
    """The driver's message, without the statement and its parameters."""
    return str(exc.orig if isinstance(exc, DBAPIError) else exc) or type(exc).__name__


def _in_transaction(batch: _Batch) -> bool:
    if not batch.txn.is_active:
        return False
    raw = batch.conn.connection.dbapi_connection
    return bool(getattr(raw, "in_transaction", True))


_by_engine: weakref.WeakKeyDictionary[Engine, GroupCommit] = weakref.WeakKeyDictionary()
_by_engine_lock = threading.Lock()


def group_commit(engine: Engine) -> GroupCommit:
    """The group commit of a SQLite ``engine`` (one per engine, made on first use)."""
    with _by_engine_lock:
        found = _by_engine.get(engine)
        if found is None:
            found = _by_engine[engine] = GroupCommit(engine)
        return found
