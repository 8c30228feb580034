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

Two ways in. :meth:`GroupCommit.write` (``with self._write() as conn: ...`` in the
journal) runs the write's body on its caller's thread, in turn with the others.
:meth:`GroupCommit.run` hands the body over: the thread that has the connection runs
every body queued meanwhile, one after another, and the callers sleep until their batch
is committed ("flat combining"). The writes every payment makes (``create_intent``,
``complete``) go that way. Measured with 8 writer threads: writes taking turns spent
most of the batch waiting for the interpreter lock, since every SQLite call lets go of
it and getting it back waits for whichever writer took it meanwhile; bodies run by one
thread do not compete for it (bench/bench_ledger.py). There is still no thread of its
own: the first caller to find nobody running the queue runs it, and hands it, when it
leaves, to the oldest body still waiting.

PostgreSQL needs none of this: concurrent transactions on their own connections commit
in groups in the server (a backend whose WAL was flushed by another's fsync does not
flush again).
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import DBAPIError

from .engine import run_on_driver as _run
from .errors import LedgerError

_T = TypeVar("_T")

__all__ = [
    "MAX_BATCH",
    "GroupCommit",
    "GroupCommitStats",
    "LedgerBatchFailed",
    "group_commit",
    "transact",
]

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
    # The requests of :meth:`GroupCommit.run` this batch ran, answered after its COMMIT.
    requests: list[_Request] = field(default_factory=list)


# What a request of GroupCommit.run is waiting for.
_WAITING, _DONE, _LEAD = 0, 1, 2


def _held_lock() -> threading.Lock:
    lock = threading.Lock()
    lock.acquire()
    return lock


@dataclass(eq=False, slots=True)
class _Request:
    body: Callable[[Connection], Any]
    # Held from the start: the request's thread sleeps in acquire() until another thread
    # answers it or makes it the leader (release()); cheaper than an Event to make and use.
    signal: threading.Lock = field(default_factory=_held_lock)
    state: int = _WAITING
    result: Any = None
    failure: BaseException | None = None


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
        self._queue: deque[_Request] = deque()  # bodies given to run(), not yet run
        self._running = False  # a thread is running the queue
        self._leader_taking = False  # ... and is waiting for the connection to do it
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

    def run(self, body: Callable[[Connection], _T]) -> _T:
        """``body(conn)`` as one write, run by whichever thread is writing the batch at the
        time (this one if none is): what :meth:`write` does, with the body handed over.

        Under the interpreter lock only one thread runs Python at a time anyway; a body
        run by the thread that has the connection does not compete for that lock with the
        holder at each of its statements (every SQLite call lets go of it, and getting it
        back waits for whichever thread took it meanwhile), and waiting writers sleep
        instead of taking turns on the connection. The first caller to find no batch
        being run runs the queue, one body after another, each in its own savepoint, and
        commits as :meth:`write` does; the callers sleep until their batch is committed.
        Returns what ``body`` returned, or raises what it raised (after the COMMIT), or
        :class:`LedgerBatchFailed`."""
        request = _Request(body)
        with self._cond:
            if self._holder == threading.get_ident():
                raise RuntimeError("a ledger write inside another write on the same thread")
            self._queue.append(request)
            lead = not self._running
            if lead:
                self._running = True
        while True:
            if lead:
                self._run_queue(request)
            request.signal.acquire()
            if request.state == _LEAD:
                request.state = _WAITING
                lead = True
                continue
            break
        if request.failure is not None:
            raise request.failure
        result: _T = request.result
        return result

    def _run_queue(self, mine: _Request) -> None:
        """Run the queued bodies in the batch (opened if there is none), commit it unless
        a :meth:`write` is waiting to add to it, then hand the queue to the oldest waiting
        request's thread (or leave it)."""
        self._leader_taking = True  # counted in _waiting too (see waiting_writes)
        try:
            self._take()
        except BaseException:  # interrupted while waiting: not run, the queue goes on
            self._leader_taking = False
            with self._cond, suppress(ValueError):
                self._queue.remove(mine)
            self._hand_on()
            raise
        self._leader_taking = False
        try:
            batch = self._batch
            if batch is None:
                try:
                    batch = self._open()
                except BaseException as exc:
                    # The ledger cannot be reached: this request says so (it is first in
                    # the queue); the next one tries again on its own.
                    with self._cond, suppress(ValueError):
                        self._queue.remove(mine)
                    mine.failure = exc
                    mine.state = _DONE
                    mine.signal.release()
                    return
            while batch.size < self.max_batch:
                with self._cond:
                    if not self._queue:
                        break
                    request = self._queue.popleft()
                if not self._run_one(batch, request):
                    break  # the batch is lost (ended, its requests answered)
            if self._batch is batch and (batch.size >= self.max_batch or not self._waited_for()):
                self._end(batch, None)
        finally:
            self._give()
            self._hand_on()

    def _hand_on(self) -> None:
        """The queue to the oldest waiting request's thread, or no one runs it."""
        with self._cond:
            if self._queue:
                heir = self._queue[0]
                heir.state = _LEAD
                heir.signal.release()
            else:
                self._running = False

    def _run_one(self, batch: _Batch, request: _Request) -> bool:
        """One body in its savepoint; False if the batch had to be ended (lost)."""
        batch.requests.append(request)
        batch.size += 1
        try:
            _run(batch.conn, f"SAVEPOINT {_SAVEPOINT}")
        except BaseException as exc:
            self._end(batch, exc)
            return False
        try:
            request.result = request.body(batch.conn)
        except BaseException as exc:
            request.failure = exc
        self._leave_savepoint(batch, request.failure)
        return self._batch is batch

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
            for request in batch.requests:
                if error is not None:
                    request.result = None
                    request.failure = LedgerBatchFailed(
                        f"the ledger could not commit this write: {_reason(error)}"
                    )
                    request.failure.__cause__ = error
                request.state = _DONE
                request.signal.release()

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

    @property
    def waiting_writes(self) -> int:
        """Writes waiting for the batch now: :meth:`write` callers waiting for the
        connection and bodies queued by :meth:`run` (for tests and figures)."""
        with self._cond:
            return self._waiting + len(self._queue) - int(self._leader_taking)

    def _waited_for(self) -> bool:
        with self._cond:
            return self._waiting > 0


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


def transact(engine: Engine, body: Callable[[Connection], _T]) -> _T:
    """``body(conn)`` as one write transaction on the ledger behind ``engine``: on
    SQLite through its group commit (:meth:`GroupCommit.run`), on PostgreSQL in a
    transaction of its own (``BEGIN`` … ``COMMIT``)."""
    if engine.dialect.name == "sqlite":
        return group_commit(engine).run(body)
    with engine.connect() as conn, conn.begin():
        return body(conn)
