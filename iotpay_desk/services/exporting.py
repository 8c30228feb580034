"""Exporting the books: what a filter of the Transactions page shows, to a CSV or XLSX
file, off the GUI's thread, with progress and cancelling.

The writing itself is the ledger's (``ledger.export``, reached through the journal's
``books``); this part runs it in a worker thread of the loop and says how many orders
the filter shows, for a progress bar. Plain asyncio Python: nothing here imports Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from iotpay_desk.journal.books import BooksFilter

from .context import MoneyContext

__all__ = ["BooksExport", "Exports"]


class BooksExport(Protocol):
    """What the ledger's books (``ledger.books.Books``) offer an export."""

    def count(self, mch_id: str, flt: BooksFilter | None = ...) -> int: ...

    def export(
        self,
        mch_id: str,
        flt: BooksFilter,
        path: Path,
        *,
        xlsx: bool = ...,
        options: Mapping[str, Any] | None = ...,
        progress: Callable[[int], None] | None = ...,
        cancelled: Callable[[], bool] | None = ...,
    ) -> int | None: ...


class Exports:
    """The merchant's books to a file (``MoneyService.exports``)."""

    def __init__(self, ctx: MoneyContext) -> None:
        self._ctx = ctx

    def _books(self) -> BooksExport:
        books: BooksExport | None = getattr(self._ctx.journal, "books", None)
        if books is None:
            raise RuntimeError("this journal keeps no books")
        return books

    async def count(self, flt: BooksFilter) -> int:
        """How many orders ``flt`` shows."""
        return await self._ctx.db(self._books().count, self._ctx.mch_id, flt)

    async def write(
        self,
        flt: BooksFilter,
        path: Path,
        *,
        xlsx: bool = False,
        fields: Sequence[str],
        titles: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
        separator: str = ",",
        decimal_point: str = ".",
        bom: bool = True,
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> int | None:
        """Write what ``flt`` shows to ``path`` in a worker thread: the rows written, or
        None when ``cancelled()`` stopped it (no file left under that name; an older
        file of that name untouched). ``progress(rows)`` is called from the worker
        thread. Times are in the merchant's zone. Raises ``OSError`` when the file
        cannot be written (the partial file is removed)."""
        options: dict[str, Any] = {
            "fields": tuple(fields),
            "titles": dict(titles or {}),
            "labels": dict(labels or {}),
            "separator": separator,
            "decimal_point": decimal_point,
            "bom": bom,
            "tz": self._ctx.tz,
        }
        return await self._ctx.db(
            self._books().export,
            self._ctx.mch_id,
            flt,
            path,
            xlsx=xlsx,
            options=options,
            progress=progress,
            cancelled=cancelled,
        )
