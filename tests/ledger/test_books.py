"""The books (iotpay_desk/ledger/books.py): one row per IOTPay order, whatever saw it
first; later sightings update it by the rules of the module docstring; lists newest
first by keyset, each filter through an index (plans checked), on both backends."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text, tuple_
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import IntegrityError

from iotpay_desk import ledger
from iotpay_desk.api.models import Order, OrderStatus
from iotpay_desk.ledger import books as books_module
from iotpay_desk.ledger.books import (
    ORDERS,
    BookEntry,
    Books,
    BooksFilter,
    FilterProblem,
    paid_at_utc,
    where_of,
)

MCH = "10000701"
OTHER = "10000702"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _pay(n: int, **kw: Any) -> Order:
    values: dict[str, Any] = {
        "pay_order_id": f"PC2025030112{n:016d}",
        "mch_id": MCH,
        "mch_order_no": f"M{n:08d}",
        "amount": 1000 + n,
        "pay_type": "pay",
        "refundable": 1000 + n,
        "status": OrderStatus.SUCCESS,
        "pay_succ_time": "",
        "card_num": "424242******4242",
        "card_type": "V",
    }
    values.update(kw)
    return Order(**values)


@pytest.fixture
def books(backend: Engine) -> Books:
    return Books(backend, clock=lambda: T0)


def test_paid_at_is_toronto_time() -> None:
    assert paid_at_utc("2025-03-01 14:00:00") == datetime(2025, 3, 1, 19, 0, tzinfo=UTC)  # EST
    assert paid_at_utc("2025-07-01 14:00:00") == datetime(2025, 7, 1, 18, 0, tzinfo=UTC)  # EDT
    assert paid_at_utc("") is None
    assert paid_at_utc("2025-02-30 14:00:00") is None
    assert paid_at_utc("yesterday") is None


def test_an_order_is_recorded_once_and_later_sightings_update_it(books: Books) -> None:
    order = _pay(1, status=OrderStatus.SUCCESS, pay_succ_time="2025-03-01 09:30:00")
    made = books.record(
        order,
        source="desk",
        confirmed=True,
        operator="jack",
        desk="front",
        reason="",
        customer="cust-7",
        card_id="CARD1",
        subject="Coffee beans",
        now=T0,
    )
    assert made.kind == "payment"
    assert made.amount_cents == 1001
    assert made.refunded_cents == 0
    assert made.card_brand == "V"
    assert made.card_last4 == "4242"
    assert made.at == datetime(2025, 3, 1, 14, 30, tzinfo=UTC)
    assert made.paid_at == "2025-03-01 09:30:00"
    assert made.confirmed_at == T0
    assert made.source == "desk"

    # The notification (status 3) moves the status on; who made it is kept.
    later = T0 + timedelta(minutes=1)
    notified = books.record(
        replace(order, status=OrderStatus.NOTIFIED, card_num="", card_type=""),
        source="notify",
        confirmed=False,
        now=later,
    )
    assert notified.id == made.id
    assert notified.status == 3
    assert (notified.operator, notified.desk, notified.customer) == ("jack", "front", "cust-7")
    assert notified.card_last4 == "4242"  # a fact once known is kept
    assert notified.confirmed_at == T0  # a notification confirms nothing
    assert notified.source == "desk"
    assert notified.updated_at == later

    # A look-up after a partial refund: IOTPay's refundable says what is left.
    looked = books.record(
        replace(order, status=OrderStatus.NOTIFIED, refundable=601),
        source="lookup",
        confirmed=True,
        operator="someone else",
        now=later + timedelta(minutes=1),
    )
    assert looked.refunded_cents == 400
    assert looked.operator == "jack"
    assert looked.confirmed_at == later + timedelta(minutes=1)
    assert books.get(MCH, order.pay_order_id) == looked
    assert len(books.page(MCH)) == 1


def test_a_notification_never_moves_the_status_back(books: Books) -> None:
    order = _pay(2, status=OrderStatus.NOTIFIED)
    books.record(order, source="lookup", confirmed=True)
    stale = books.record(
        replace(order, status=OrderStatus.SUCCESS), source="notify", confirmed=False
    )
    assert stale.status == 3
    # IOTPay's own answer is the truth, whatever came before.
    pending = books.record(
        replace(order, status=OrderStatus.PENDING), source="lookup", confirmed=True
    )
    assert pending.status == 0


def test_refunds_and_voids(books: Books) -> None:
    pay = _pay(3)
    refund = Order(
        pay_order_id="RP20250301120000000000000003",
        mch_id=MCH,
        mch_order_no="R250301ABCDEF",
        original_order_id=pay.pay_order_id,
        amount=300,
        pay_type="refund",
        status=OrderStatus.SUCCESS,
    )
    seen = books.record(refund, source="notify", confirmed=False)
    assert seen.kind == "refund"
    assert seen.original_order_id == pay.pay_order_id
    # The desk's action knew it was a void.
    void = books.record(refund, source="desk", confirmed=True, kind="void", operator="ann")
    assert void.kind == "void"
    assert void.operator == "ann"
    assert void.id == seen.id
    with pytest.raises(ValueError, match="not a payment"):
        books.record(refund, source="desk", confirmed=True, kind="payment")
    with pytest.raises(ValueError, match="source"):
        books.record(pay, source="guess", confirmed=True)
    with pytest.raises(ValueError, match="payOrderId"):
        books.record(replace(pay, pay_order_id=""), source="lookup", confirmed=True)


def test_card_numbers_never_reach_the_books(books: Books, backend: Engine) -> None:
    order = _pay(4)
    entry = books.record(
        order, source="desk", confirmed=True, reason="card 4242 4242 4242 4242 was read"
    )
    assert "4242 4242 4242" not in entry.reason
    assert entry.reason.endswith("4242 was read")
    # The database refuses one written past the desk's own scrubbing.
    with pytest.raises(IntegrityError), backend.begin() as conn:
        conn.execute(
            ORDERS.update().where(ORDERS.c.id == entry.id).values(note="pan 4242424242424242")
        )
    with pytest.raises(IntegrityError), backend.begin() as conn:
        conn.execute(ORDERS.update().where(ORDERS.c.id == entry.id).values(refunded_cents=10**9))


def _fill(books: Books, n: int) -> list[BookEntry]:
    out = []
    for i in range(n):
        order = _pay(
            i,
            amount=500 + (i % 7) * 100,
            refundable=500 + (i % 7) * 100,
            status=OrderStatus.FAILED if i % 5 == 0 else OrderStatus.SUCCESS,
            card_num="424242******4242" if i % 2 else "555555******4444",
            card_type="V" if i % 2 else "M",
        )
        out.append(
            books.record(
                order,
                source="desk" if i % 3 else "lookup",
                confirmed=True,
                operator="jack" if i % 4 else "ann",
                desk="front" if i % 2 else "back",
                customer=f"cust-{i % 10}",
                subject="Coffee beans" if i % 6 == 1 else "",
                now=T0 + timedelta(minutes=i),
            )
        )
    return out


def test_pages_are_newest_first_and_follow_each_other(books: Books) -> None:
    rows = _fill(books, 57)
    newest_first = sorted(rows, key=lambda r: (r.at, r.id), reverse=True)
    seen: list[BookEntry] = []
    after = None
    while True:
        page = books.page(MCH, limit=10, after=after)
        seen.extend(page)
        if len(page) < 10:
            break
        after = page[-1].key
    assert [r.id for r in seen] == [r.id for r in newest_first]
    assert [r.id for r in books.iterate(MCH, batch=8)] == [r.id for r in newest_first]
    assert books.page(OTHER) == []  # another merchant's books are its own


FILTERS = [
    BooksFilter(statuses=frozenset({9})),
    BooksFilter(kinds=frozenset({"payment"})),
    BooksFilter(last4="4444"),
    BooksFilter(amount_min=700, amount_max=900),
    BooksFilter(amount_min=800, amount_max=800),
    BooksFilter(operator="ann"),
    BooksFilter(desk="back", last4="4444", statuses=frozenset({2})),
    BooksFilter(since=T0 + timedelta(minutes=10), until=T0 + timedelta(minutes=20)),
    BooksFilter(text="cust-3"),
    BooksFilter(text=" M00000012 "),
    BooksFilter(text="PC20250301120000000000000033"),
    BooksFilter(text="ust-"),  # part of a customer
    BooksFilter(text="0000001"),  # part of order numbers
    BooksFilter(text="BEANS"),  # part of a subject, any case
    BooksFilter(text="M0", desk="front"),  # too short for a part: whole numbers only
]


def _searched(r: BookEntry) -> str:
    return " ".join(
        (
            r.mch_order_no,
            r.customer,
            r.card_id,
            r.subject,
            r.reason,
            r.note,
        )
    ).lower()


@pytest.mark.parametrize("common", [False, True], ids=["rare text", "common text"])
@pytest.mark.parametrize("flt", FILTERS, ids=range(len(FILTERS)))
def test_filters_combine_and_match_what_python_would(
    books: Books, flt: BooksFilter, common: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Free text in more orders than COMMON_MATCHES is read another way (on SQLite).
    monkeypatch.setattr(books_module, "COMMON_MATCHES", 1 if common else 2_000)
    rows = _fill(books, 40)

    def keep(r: BookEntry) -> bool:
        t = flt.text.strip()
        return (
            (not flt.statuses or r.status in flt.statuses)
            and (not flt.kinds or r.kind in flt.kinds)
            and (not flt.last4 or r.card_last4 == flt.last4)
            and (flt.amount_min is None or r.amount_cents >= flt.amount_min)
            and (flt.amount_max is None or r.amount_cents <= flt.amount_max)
            and (not flt.operator or r.operator == flt.operator)
            and (not flt.desk or r.desk == flt.desk)
            and (flt.since is None or r.at >= flt.since)
            and (flt.until is None or r.at < flt.until)
            and (
                not t
                or t in (r.pay_order_id, r.mch_order_no, r.original_order_id, r.customer, r.card_id)
                or (len(t) >= 3 and t.lower() in _searched(r))
            )
        )

    expected = [r.id for r in sorted(rows, key=lambda r: (r.at, r.id), reverse=True) if keep(r)]
    if flt.text.strip() != "M0":
        assert expected  # each filter finds something in this data
    got = [r.id for r in books.iterate(MCH, flt, batch=3)]
    assert got == expected


@pytest.mark.parametrize(
    ("flt", "field"),
    [
        (BooksFilter(last4="42"), "last4"),
        (BooksFilter(last4="42a4"), "last4"),
        (BooksFilter(amount_min=900, amount_max=100), "amount_max"),
        (BooksFilter(amount_min=-1), "amount_min"),
        (BooksFilter(kinds=frozenset({"charge"})), "kinds"),
        (BooksFilter(statuses=frozenset({7})), "statuses"),
        (BooksFilter(since=datetime(2025, 1, 1)), "since"),
        (BooksFilter(since=T0, until=T0), "until"),
    ],
)
def test_a_filter_that_cannot_be_used_names_its_field(
    books: Books, flt: BooksFilter, field: str
) -> None:
    with pytest.raises(FilterProblem) as caught:
        books.page(MCH, flt)
    assert caught.value.field == field


def test_free_text_finds_parts_of_texts_changed_later_and_takes_any_characters(
    books: Books,
) -> None:
    order = _pay(11)
    books.record(order, source="notify", confirmed=False)
    assert books.page(MCH, BooksFilter(text="wrong size")) == []
    # The desk's answer comes later with the reason: found by it from then on.
    books.record(order, source="desk", confirmed=True, reason="Wrong SIZE, exchanged")
    (found,) = books.page(MCH, BooksFilter(text="wrong size"))
    assert found.pay_order_id == order.pay_order_id
    assert books.page(MCH, BooksFilter(text="exchang")) == [found]
    # IOTPay's ids are matched whole (a part of one is not searched: they are not indexed
    # by trigrams, the costliest part of the index).
    assert books.page(MCH, BooksFilter(text=order.pay_order_id)) == [found]
    assert books.page(MCH, BooksFilter(text=order.pay_order_id[2:12])) == []
    # Characters that mean something to SQL or to the search are taken as they are.
    odd = _pay(12, mch_order_no='A_%"B\\')
    books.record(odd, source="lookup", confirmed=True, note='50% off "today"')
    for words in ('A_%"B\\', '_%"', '"today"', "50% o"):
        got = [e.pay_order_id for e in books.page(MCH, BooksFilter(text=words))]
        assert got == [odd.pay_order_id], words
    assert books.page(MCH, BooksFilter(text="%")) == []  # not a wildcard: matches nothing
    assert books.page(MCH, BooksFilter(text="a_x")) == []
    assert books.page(MCH, BooksFilter(text="OR 1=1 --")) == []


def test_concurrent_sightings_of_one_order_make_one_row(books: Books) -> None:
    order = _pay(9)
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def see(i: int) -> None:
        barrier.wait()
        try:
            books.record(
                replace(order, status=OrderStatus.NOTIFIED if i % 2 else OrderStatus.SUCCESS),
                source="notify" if i % 2 else "lookup",
                confirmed=not i % 2,
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=see, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert len(books.page(MCH)) == 1


# ---------------------------------------------------------------- plans (SQLite)


def _plan(path: Path, flt: BooksFilter, *, after: bool, common: bool = False) -> str:
    """SQLite's plan for the page query of ``flt``, with the values bound as the desk
    binds them."""
    where = where_of(flt, MCH, "sqlite", common=common)
    if after:
        where.append(tuple_(ORDERS.c.at, ORDERS.c.id) < tuple_("2025-03-01T12:30:00.000000Z", 99))
    query = select(ORDERS).where(*where).order_by(ORDERS.c.at.desc(), ORDERS.c.id.desc()).limit(100)
    compiled = query.compile(
        dialect=sqlite_dialect.dialect(), compile_kwargs={"render_postcompile": True}
    )
    params = compiled.params
    sql = str(compiled)
    args = [params[k] for k in compiled.positiontup] if compiled.positiontup else params
    raw = sqlite3.connect(path)
    try:
        return " | ".join(str(r[-1]) for r in raw.execute("EXPLAIN QUERY PLAN " + sql, args))
    finally:
        raw.close()


PLAN_FILTERS = [
    (BooksFilter(), "orders_at"),
    (BooksFilter(statuses=frozenset({2})), "orders_status"),
    (BooksFilter(kinds=frozenset({"refund"})), "orders_kind"),
    (BooksFilter(last4="4242"), "orders_card_last4"),
    (BooksFilter(operator="ann"), "orders_operator"),
    (BooksFilter(desk="front"), "orders_desk"),
    (BooksFilter(amount_min=800, amount_max=800), "orders_amount_cents"),
    (BooksFilter(text="beans"), "orders_fts VIRTUAL TABLE INDEX"),
    (BooksFilter(since=T0, until=T0 + timedelta(days=1)), "orders_at"),
]


@pytest.mark.parametrize(("flt", "index"), PLAN_FILTERS, ids=[i for _, i in PLAN_FILTERS])
@pytest.mark.parametrize("after", [False, True])
def test_each_filter_reads_an_index_without_sorting(
    tmp_path: Path, flt: BooksFilter, index: str, after: bool
) -> None:
    engine = ledger.open_engine(ledger.sqlite_url(tmp_path / "ledger.sqlite3"))
    ledger.migrate(engine)
    books = Books(engine)
    _fill(books, 30)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    plan = _plan(tmp_path / "ledger.sqlite3", flt, after=after)
    assert index in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort
    assert "SCAN orders" not in plan or "USING INDEX" in plan, plan


def test_common_free_text_is_read_in_time_order_rare_text_by_its_matches(tmp_path: Path) -> None:
    engine = ledger.open_engine(ledger.sqlite_url(tmp_path / "ledger.sqlite3"))
    ledger.migrate(engine)
    _fill(Books(engine), 30)
    engine.dispose()
    path = tmp_path / "ledger.sqlite3"
    common = _plan(path, BooksFilter(text="cust"), after=True, common=True)
    assert "orders_at" in common, common
    assert "TEMP B-TREE" not in common, common
    rare = _plan(path, BooksFilter(text="cust"), after=True, common=False)
    assert "orders_fts VIRTUAL TABLE INDEX" in rare, rare


# -- the bulk read of an export -------------------------------------------------------------


def test_raw_pages_and_count_are_what_the_list_shows(books: Books, tmp_path: Path) -> None:
    for n in range(23):
        books.record(
            _pay(n, amount=500 if n % 2 else 900),
            source="lookup",
            confirmed=True,
            now=T0 + timedelta(minutes=n % 5),  # times shared: the id breaks the tie
        )
    books.record(_pay(99, mch_id=OTHER), source="lookup", confirmed=True, now=T0)
    for flt in (BooksFilter(), BooksFilter(amount_min=500, amount_max=500)):
        listed = list(books.iterate(MCH, flt, batch=4))
        assert books.count(MCH, flt) == len(listed)
        for readers, batch in ((1, 4), (2, 4), (3, 5), (2, 11), (2, 100)):
            pages = list(
                books.raw_pages(
                    MCH, flt, ["mch_order_no", "amount_cents"], batch=batch, readers=readers
                )
            )
            assert [len(p) for p in pages][:-1] == [batch] * (len(pages) - 1)
            rows = [r for p in pages for r in p]
            assert [(r[1], r[2], r[3]) for r in rows] == [
                (e.id, e.mch_order_no, e.amount_cents) for e in listed
            ]
            assert all(isinstance(r, tuple) for r in rows)  # the driver's rows as they are
    assert books.count(MCH, BooksFilter(amount_min=500, amount_max=500)) == 11
    with pytest.raises(FilterProblem):
        next(iter(books.raw_pages(MCH, BooksFilter(), ["id"], batch=0)))
    ids = [e.id for e in books.iterate(MCH)][:3]
    assert sorted(books.rows_by_id(ids, ["mch_order_no"])) == sorted(
        (e.id, e.mch_order_no) for e in books.iterate(MCH) if e.id in ids
    )


def test_an_export_through_the_books_says_when_it_was_cancelled(
    books: Books, tmp_path: Path
) -> None:
    books.record(_pay(1), source="lookup", confirmed=True)
    path = tmp_path / "out.csv"
    options = {"fields": ("mch_order_no", "amount"), "separator": ";", "decimal_point": ","}
    assert books.export(MCH, BooksFilter(), path, options=options) == 1
    assert path.read_bytes().decode("utf-8-sig") == "Order number;Amount\r\nM00000001;10,01\r\n"
    assert books.export(MCH, BooksFilter(), path, xlsx=True, cancelled=lambda: True) is None
    assert path.read_text(encoding="utf-8-sig").startswith("Order number")  # kept
