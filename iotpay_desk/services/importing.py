"""Importing orders named in a CSV file into the books, each confirmed with cc_query.

The file: IOTPay's merchant portal export or any CSV with a header row naming a column
of order numbers (``mchOrderNo``) or IOTPay order IDs (``payOrderId``), in English or
French, in any place among other columns (ignored); or a single column with no header.
UTF-8 (with or without BOM) or Windows-1252; comma, semicolon, tab or bar separated.

:func:`read_plan` reads and checks it without writing anything: an unusable file
raises :class:`ImportFileProblem` (naming the file and the rule); a usable one gives an
:class:`ImportPlan`, its good order references and its bad lines, each with its line
number and why (empty, too long, not a valid id by the API's rules, a duplicate of an
earlier line, a card number).

:meth:`Imports.start` writes the job with every line in the ledger in one transaction;
:meth:`Imports.run` looks each pending one up (an IOTPay order ID by ``payOrderId``
first, anything else by ``mchOrderNo`` first, then the other way), at most
``concurrency`` at once, and books what IOTPay answers in batches
(:mod:`.bulk`). A run cancelled or killed leaves the job ``running``: :meth:`run`
again does the rest. IOTPay that cannot be reached marks a line ``failed``, tried again
on the next run; IOTPay's "no such order" marks it ``not_found``.

Plain asyncio Python: nothing here imports Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from iotpay_desk.api import IotPayRejected, QueryRequest, rules
from iotpay_desk.api.rules import BrokenRule, RuleCode, has_card_run
from iotpay_desk.journal.jobs import ItemResult, JobItem, JobSummary, NewItem

from .bulk import CONCURRENCY, JobProgress, run_job, stopping
from .context import MoneyContext
from .errors import CannotReachIotPay
from .rules import looks_like_pay_order_id

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_LINES",
    "BadLine",
    "ImportFileProblem",
    "ImportPlan",
    "Imports",
    "read_plan",
]

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
"""A file larger than this is refused (a list of 200,000 orders is about 6 MB)."""
MAX_LINES = 200_000

# Why a file cannot be used (ImportFileProblem.rule).
FILE_RULES = (
    "missing",  # no such file, or not readable
    "too_large",  # over MAX_FILE_BYTES or MAX_LINES
    "empty",  # nothing in it
    "utf16",  # UTF-16 (saved as "Unicode text"): save it as CSV UTF-8
    "binary",  # not text (a spreadsheet, an image…)
    "encoding",  # not UTF-8 or Windows-1252 text
    "no_column",  # no column named like an order number or order id
    "formula",  # a cell of the order column is a spreadsheet formula
    "no_orders",  # no line with an order in it
)

# Why a line is left out (BadLine.reason).
LINE_REASONS = ("empty", "too_long", "invalid", "duplicate", "card_number")


class ImportFileProblem(Exception):
    """The file cannot be imported: ``path``, ``rule`` (one of :data:`FILE_RULES`),
    ``line`` (where, for ``formula``; else 0) and ``limit`` (the size or line limit
    for ``too_large``)."""

    def __init__(self, path: Path, rule: str, *, line: int = 0, limit: int = 0) -> None:
        self.path = Path(path)
        self.rule = rule
        self.line = line
        self.limit = limit
        where = f" (line {line})" if line else ""
        super().__init__(f"{self.path.name}: {rule}{where}")


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line of the file that is not imported: its number, its text (cut at 60
    characters), why (one of :data:`LINE_REASONS`), the API's rule it breaks
    (``invalid``, ``too_long``) and the line it repeats (``duplicate``)."""

    line_no: int
    text: str
    reason: str
    rule: BrokenRule | None = None
    duplicate_of: int = 0

    @property
    def detail(self) -> str:
        """How the ledger keeps the reason (``duplicate:3``, ``invalid:<rule>``)."""
        if self.reason == "duplicate":
            return f"duplicate:{self.duplicate_of}"
        if self.rule is not None and self.reason == "invalid":
            return f"invalid:{self.rule.code.value}"
        return self.reason


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """A checked file: its good order references (line number, text) and bad lines."""

    path: Path
    column: str  # the header of the column used; "" when the file has no header
    refs: tuple[tuple[int, str], ...]
    bad: tuple[BadLine, ...] = ()

    @property
    def title(self) -> str:
        return self.path.name

    @property
    def total(self) -> int:
        return len(self.refs) + len(self.bad)


# Column names, compared without case, accents, spaces or punctuation. An IOTPay order
# ID column is preferred to an order number column when a file has both.
_ID_NAMES = frozenset(
    {
        "payorderid",
        "iotpayorderid",
        "orderid",
        "iotpayid",
        "transactionid",
        "iddecommande",
        "idcommande",
        "identifiantdecommande",
        "identifiantcommande",
        "iddecommandeiotpay",
        "identifiantdecommandeiotpay",
        "idtransaction",
        "iddetransaction",
    }
)
_NO_NAMES = frozenset(
    {
        "mchorderno",
        "ordernumber",
        "orderno",
        "ordernum",
        "merchantorderno",
        "merchantordernumber",
        "numerodecommande",
        "numerocommande",
        "nodecommande",
        "ndecommande",
        "nocommande",
        "ncommande",
        "commande",
        "numerodecommandemarchand",
        "nodecommandemarchand",
        "reference",
        "referencecommande",
    }
)
_FORMULA = re.compile(r"[=+@\t\r]|-[^0-9]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SHOWN = 60


def _name_key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.strip().lstrip("\ufeff").lower())
    return "".join(c for c in folded if c.isalnum() and not unicodedata.combining(c))


def _column_of(header: Sequence[str]) -> int | None:
    keys = [_name_key(h) for h in header]
    for names in (_ID_NAMES, _NO_NAMES):
        for i, key in enumerate(keys):
            if key in names:
                return i
    # Looser: a name saying "order" (or "commande") with id / no / number.
    for i, key in enumerate(keys):
        if ("order" in key or "commande" in key) and any(
            w in key for w in ("id", "no", "num", "number", "numero")
        ):
            return i
    return None


def _decode(path: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileProblem(path, "utf16")
    if b"\x00" in data:
        # UTF-16 without its mark: text whose every other byte is 0.
        sample = data[:4096]
        half = len(sample) // 2
        if half and max(sample[0::2].count(0), sample[1::2].count(0)) * 10 >= half * 9:
            raise ImportFileProblem(path, "utf16")
        raise ImportFileProblem(path, "binary")
    text: str | None = None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        with contextlib.suppress(UnicodeDecodeError):
            text = data.decode("cp1252")
    if text is None:
        raise ImportFileProblem(path, "encoding")
    if _CONTROL.search(text):
        raise ImportFileProblem(path, "binary")
    return text


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def read_plan(path: Path | str) -> ImportPlan:
    """Read and check an import file (module docstring). Blocking; writes nothing."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileProblem(path, "too_large", limit=MAX_FILE_BYTES)
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError:
        raise ImportFileProblem(path, "missing") from None
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileProblem(path, "too_large", limit=MAX_FILE_BYTES)
    text = _decode(path, data)
    if not text.strip():
        raise ImportFileProblem(path, "empty")
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if len(rows) >= MAX_LINES:
                raise ImportFileProblem(path, "too_large", limit=MAX_LINES)
            rows.append((reader.line_num, row))
    except csv.Error:
        raise ImportFileProblem(path, "encoding") from None
    rows = [(n, r) for n, r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ImportFileProblem(path, "empty")
    first = rows[0][1]
    column = _column_of(first)
    header = ""
    if column is not None:
        header = first[column].strip().lstrip("\ufeff")
        body = rows[1:]
    elif max(len(r) for _, r in rows) <= 1 or all(
        len([c for c in r if c.strip()]) <= 1 for _, r in rows
    ):
        # One column, no header: every line is an order. (A lone first cell that is not
        # an order at all, such as "Orders", is then a bad line, shown as such.)
        column = next((i for i, c in enumerate(first) if c.strip()), 0)
        body = rows
    else:
        raise ImportFileProblem(path, "no_column")
    refs: list[tuple[int, str]] = []
    bad: list[BadLine] = []
    seen: dict[str, int] = {}
    for line_no, row in body:
        cell = row[column] if column < len(row) else ""
        value = cell.strip()
        if value and _FORMULA.match(value):
            raise ImportFileProblem(path, "formula", line=line_no)
        shown = value[:_SHOWN]
        if not value:
            bad.append(BadLine(line_no, "", "empty"))
            continue
        if has_card_run(value):
            bad.append(BadLine(line_no, "", "card_number", BrokenRule(RuleCode.LOOKS_LIKE_CARD)))
            continue
        problem = rules.id30(value)
        if problem is not None:
            reason = "too_long" if problem.code is RuleCode.MAX_CHARS else "invalid"
            bad.append(BadLine(line_no, shown, reason, problem))
            continue
        if value in seen:
            bad.append(BadLine(line_no, shown, "duplicate", duplicate_of=seen[value]))
            continue
        seen[value] = line_no
        refs.append((line_no, value))
    if not refs and not bad:
        raise ImportFileProblem(path, "no_orders")
    return ImportPlan(path=path, column=header, refs=tuple(refs), bad=tuple(bad))


class Imports:
    """Imports of order lists into the books of one :class:`MoneyContext`'s merchant."""

    def __init__(self, ctx: MoneyContext) -> None:
        self._ctx = ctx

    async def read_file(self, path: Path | str) -> ImportPlan:
        """:func:`read_plan` off the loop's thread."""
        return await asyncio.to_thread(read_plan, path)

    async def start(self, plan: ImportPlan) -> int:
        """Write the job and all its lines (the bad ones as ``bad``, with why) in the
        ledger, in one transaction; its id. Nothing is queried yet."""
        ctx = self._ctx
        if not plan.refs:
            raise ValueError("the file has no order to import")
        items = [NewItem(n, ref) for n, ref in plan.refs]
        items += [NewItem(b.line_no, b.text, state="bad", detail=b.detail) for b in plan.bad]
        items.sort(key=lambda i: i.line_no)
        summary = await ctx.db(
            ctx.journal.jobs.create,
            ctx.mch_id,
            "import",
            items,
            title=plan.title,
            operator=ctx.operator,
            desk=ctx.journal.desk.name,
            now=ctx.clock(),
        )
        return summary.id

    async def run(
        self,
        job_id: int,
        *,
        on_progress: Callable[[JobProgress], None] | None = None,
        concurrency: int = CONCURRENCY,
    ) -> JobSummary:
        """Look up every line still open (pending, or failed before) and book what IOTPay
        answers; the job's summary at the end (``done`` when nothing is left open).
        Cancel the task to stop: the job stays resumable."""
        return await run_job(self._ctx, job_id, self._lookup, on_progress, concurrency)

    async def summary(self, job_id: int) -> JobSummary:
        ctx = self._ctx
        found = await ctx.db(ctx.journal.jobs.get, job_id)
        if found is None or found.mch_id != ctx.mch_id:
            raise KeyError(job_id)
        return found

    async def items(
        self, job_id: int, states: Sequence[str] = (), limit: int = 10_000
    ) -> list[JobItem]:
        """The job's lines in line order (``states``: only those)."""
        ctx = self._ctx
        return await ctx.db(ctx.journal.jobs.items, job_id, states=states, limit=limit)

    async def unfinished(self) -> list[JobSummary]:
        """This merchant's imports still running (cancelled, killed, or with lines that
        could not reach IOTPay), newest first: each can be :meth:`run` again."""
        ctx = self._ctx
        return await ctx.db(ctx.journal.jobs.open_jobs, ctx.mch_id, "import")

    async def discard(self, job_id: int) -> JobSummary:
        """Give an unfinished import up (``cancelled``): it is not offered again. What
        it booked stays in the books."""
        ctx = self._ctx
        await self.summary(job_id)
        return await ctx.db(ctx.journal.jobs.finish, job_id, cancel=True, now=ctx.clock())

    async def _lookup(self, item: JobItem) -> ItemResult:
        ctx = self._ctx
        ref = item.ref
        ways = ["payOrderId", "mchOrderNo"]
        if not looks_like_pay_order_id(ref):
            ways.reverse()
        refused = ""
        try:
            for way in ways:
                req = (
                    QueryRequest(pay_order_id=ref)
                    if way == "payOrderId"
                    else QueryRequest(mch_order_no=ref)
                )
                try:
                    order = await ctx.query(req)
                except IotPayRejected as exc:
                    if not exc.is_not_found:
                        refused = exc.ret_msg or "refused"
                    continue
                order = replace(order, mch_id=ctx.mch_id)
                return ItemResult(item.line_no, "booked", order.pay_order_id, order=order)
        except CannotReachIotPay as exc:
            return ItemResult(item.line_no, "failed", detail=f"unreachable: {exc}"[:300])
        except Exception as exc:  # one line's trouble: kept with the line, tried again
            if stopping():
                raise
            log.warning("import line %s: %s", item.line_no, type(exc).__name__)
            return ItemResult(item.line_no, "failed", detail=f"error: {type(exc).__name__}")
        if refused:
            return ItemResult(item.line_no, "failed", detail=f"refused: {refused}"[:300])
        return ItemResult(item.line_no, "not_found")
