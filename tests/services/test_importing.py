"""Import orders (iotpay_desk/services/importing.py): a CSV of order numbers and IOTPay
order IDs checked line by line, looked up at the real sandbox and booked in a real
ledger; bad files refused by name and rule; cancelled, failed and killed imports
resumed with every line done once and every order in the books once."""

from __future__ import annotations

import asyncio
import signal
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from iotpay_desk.api import IotPayClient, Order
from iotpay_desk.api.rules import RuleCode
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.books import ORDERS
from iotpay_desk.ledger.jobs import ITEMS
from iotpay_desk.sandbox import DEMO_MERCHANT, FaultSpec, SandboxServer
from iotpay_desk.services import MoneyService
from iotpay_desk.services.bulk import JobProgress
from iotpay_desk.services.importing import (
    MAX_FILE_BYTES,
    ImportFileProblem,
    read_plan,
)

from .conftest import pay, wait_for

# --------------------------------------------------------------------------- the file


def _write(tmp_path: Path, text: str, name: str = "orders.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_portal_export_is_read_by_its_column_among_others(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Date,Amount,Order ID,Status\n"
        "2025-03-01,10.00,PC20250301120000000000000001,Success\n"
        "2025-03-01,11.00,PC20250301120000000000000002,Success\n",
    )
    plan = read_plan(path)
    assert plan.column == "Order ID"
    assert plan.refs == (
        (2, "PC20250301120000000000000001"),
        (3, "PC20250301120000000000000002"),
    )
    assert plan.bad == ()
    assert plan.title == "orders.csv"


def test_a_french_export_with_semicolons_and_a_bom(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "\ufeffMontant;N° de commande;Statut\r\n12,50 $;A-1001;Réussi\r\n13,00 $;A-1002;Réussi\r\n",
    )
    plan = read_plan(path)
    assert plan.column == "N° de commande"
    assert [r for _, r in plan.refs] == ["A-1001", "A-1002"]
    cp1252 = _write(tmp_path, "Numéro de commande\nA-1\n", "fr.csv", "cp1252")
    assert read_plan(cp1252).refs == ((2, "A-1"),)


def test_bad_lines_are_listed_with_their_line_and_reason(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "A-1\n"  # 1
        "\n"  # blank line: skipped
        "A-2\n"  # 3
        "A-1\n" + "X" * 31 + "\n"  # 4 duplicate of 1  # 5 too long
        '"ab\tcd"\n'  # 6 a control character
        "4242 4242 4242 4242\n"  # 7 a card number
        "  A-3  \n",  # 8 spaces trimmed
    )
    plan = read_plan(path)
    assert plan.refs == ((1, "A-1"), (3, "A-2"), (8, "A-3"))
    bad = {b.line_no: b for b in plan.bad}
    assert bad[4].reason == "duplicate"
    assert bad[4].duplicate_of == 1
    assert bad[5].reason == "too_long"
    assert bad[5].rule is not None
    assert bad[5].rule.code is RuleCode.MAX_CHARS
    assert bad[6].reason == "invalid"
    assert bad[6].rule is not None
    assert bad[6].rule.code is RuleCode.NO_CONTROL_CHARS
    assert bad[7].reason == "card_number"
    assert bad[7].text == ""
    with_header = _write(tmp_path, "mchOrderNo,note\n,empty one\nA-9,x\n", "h.csv")
    plan = read_plan(with_header)
    assert plan.refs == ((3, "A-9"),)
    assert [(b.line_no, b.reason) for b in plan.bad] == [(2, "empty")]


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        ("Order ID\nPC20250301120000000000000001\n".encode("utf-16"), "utf16"),
        ("Order ID\nPC1\n".encode("utf-16-le"), "utf16"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (b"Date,Amount,Status\n2025-03-01,10.00,ok\n", "no_column"),
        (b'Order ID,x\n=HYPERLINK("http://evil","A-1"),1\n', "formula"),
        (b"@SUM(A1:A9)\n", "formula"),
        (b"", "empty"),
        (b"\n \n\n", "empty"),
    ],
)
def test_a_bad_file_is_refused_by_name_and_rule(tmp_path: Path, content: bytes, rule: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileProblem) as caught:
        read_plan(path)
    assert caught.value.rule == rule
    assert caught.value.path == path
    assert "export.csv" in str(caught.value)


def test_twenty_megabytes_of_garbage_and_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "garbage.csv"
    with path.open("wb") as f:
        for _ in range(20):
            f.write(uuid.uuid4().bytes * 65536)
    with pytest.raises(ImportFileProblem) as caught:
        read_plan(path)
    assert caught.value.rule == "too_large"
    assert caught.value.limit == MAX_FILE_BYTES
    with pytest.raises(ImportFileProblem) as caught:
        read_plan(tmp_path / "nowhere.csv")
    assert caught.value.rule == "missing"


# --------------------------------------------------------------------------- importing


def _book_count(journal: LedgerJournal) -> int:
    with journal.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ORDERS)).scalar_one())


def _per_order(journal: LedgerJournal) -> dict[str, int]:
    with journal.engine.connect() as conn:
        rows = conn.execute(
            select(ORDERS.c.pay_order_id, func.count()).group_by(ORDERS.c.pay_order_id)
        ).all()
    return {pid: int(n) for pid, n in rows}


async def _orders(client: IotPayClient, n: int) -> list[Order]:
    return [await pay(client, 1000 + i) for i in range(n)]


@pytest.mark.asyncio
async def test_import_end_to_end_and_again_adds_no_row(
    service: MoneyService, client: IotPayClient, journal: LedgerJournal, tmp_path: Path
) -> None:
    orders = await _orders(client, 4)
    path = _write(
        tmp_path,
        "Order number,Comment\n"
        f"{orders[0].mch_order_no},by number\n"  # 2
        f"{orders[1].pay_order_id},by id\n"  # 3
        f"{orders[2].mch_order_no},x\n"  # 4
        f"{orders[2].pay_order_id},the same order by its id\n"  # 5
        "NO-SUCH-ORDER,unknown number\n"  # 6
        "PC20000101000000000000000000,unknown id\n"  # 7
        ",empty\n"  # 8
        f"{orders[0].mch_order_no},duplicate\n" + "Y" * 40 + ",too long\n",  # 9  # 10
    )
    imports = service.imports
    plan = await imports.read_file(path)
    assert len(plan.refs) == 6
    assert len(plan.bad) == 3
    job_id = await imports.start(plan)
    assert [j.id for j in await imports.unfinished()] == [job_id]
    seen: list[JobProgress] = []
    summary = await imports.run(job_id, on_progress=seen.append)
    assert summary.state == "done"
    assert summary.counts == {"booked": 4, "not_found": 2, "bad": 3}
    assert seen
    assert seen[-1].done == seen[-1].total == 9
    assert seen[-1].seconds_left == 0.0
    assert await imports.unfinished() == []
    items = {i.line_no: i for i in await imports.items(job_id)}
    assert items[5].pay_order_id == orders[2].pay_order_id
    assert items[6].state == "not_found"
    assert items[7].state == "not_found"
    assert items[9].detail == "duplicate:2"
    assert items[10].detail == "too_long"
    assert _book_count(journal) == 3  # orders 0, 1, 2 (2 named twice)
    entry = journal.books.get(DEMO_MERCHANT.mch_id, orders[1].pay_order_id)
    assert entry is not None
    assert entry.source == "import"
    assert entry.amount_cents == 1001

    again = await imports.start(await imports.read_file(path))
    second = await imports.run(again)
    assert second.counts == {"booked": 4, "not_found": 2, "bad": 3}
    assert _book_count(journal) == 3


@pytest.mark.asyncio
async def test_lines_iotpay_cannot_answer_fail_and_are_retried_on_resume(
    service: MoneyService, client: IotPayClient, sandbox: SandboxServer, tmp_path: Path
) -> None:
    orders = await _orders(client, 3)
    path = _write(tmp_path, "".join(f"{o.pay_order_id}\n" for o in orders))
    job_id = await service.imports.start(read_plan(path))
    # The client asks twice: the first line's two attempts both fail.
    sandbox.set_faults([FaultSpec("error500", "cc_query", count=2)])
    first = await service.imports.run(job_id, concurrency=1)
    assert first.state == "running"
    assert first.counts == {"failed": 1, "booked": 2}
    (failed,) = await service.imports.items(job_id, states=("failed",))
    assert failed.line_no == 1
    assert failed.detail.startswith("unreachable")
    assert [j.id for j in await service.imports.unfinished()] == [job_id]
    resumed = await service.imports.run(job_id)
    assert resumed.state == "done"
    assert resumed.counts == {"booked": 3}


@pytest.mark.asyncio
async def test_a_cancelled_import_resumes_where_it_stopped(
    service: MoneyService,
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
    tmp_path: Path,
) -> None:
    orders = await _orders(client, 12)
    path = _write(tmp_path, "".join(f"{o.mch_order_no}\n" for o in orders))
    job_id = await service.imports.start(read_plan(path))
    sandbox.set_faults([FaultSpec("latency", "cc_query", latency_ms=150)])
    seen: list[JobProgress] = []
    task = asyncio.create_task(service.imports.run(job_id, on_progress=seen.append, concurrency=2))
    await wait_for(lambda: any(p.done >= 2 for p in seen))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    stopped = await service.imports.summary(job_id)
    assert stopped.state == "running"
    assert 2 <= stopped.count("booked") < 12
    assert stopped.pending == 12 - stopped.count("booked")
    assert seen[-1].rate > 0
    assert seen[-1].seconds_left is not None
    sandbox.clear_faults()
    done = await service.imports.run(job_id)
    assert done.state == "done"
    assert done.counts == {"booked": 12}
    assert set(_per_order(journal).values()) == {1}
    assert _book_count(journal) == 12


@pytest.mark.asyncio
async def test_an_unfinished_import_can_be_given_up(
    service: MoneyService, client: IotPayClient, tmp_path: Path
) -> None:
    (order,) = await _orders(client, 1)
    job_id = await service.imports.start(read_plan(_write(tmp_path, order.mch_order_no)))
    given_up = await service.imports.discard(job_id)
    assert given_up.state == "cancelled"
    assert await service.imports.unfinished() == []
    assert (await service.imports.run(job_id)).state == "cancelled"  # nothing queried


CHILD = """
import asyncio, sys
import httpx
from iotpay_desk.api import IotPayClient
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.services import MoneyService

async def main(url, path, mch_id, key, kind, job_id):
    http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=2.0), trust_env=False)
    service = MoneyService(
        IotPayClient(url, mch_id, key, http=http), open_sqlite_ledger(path), operator="jack"
    )
    part = service.imports if kind == "import" else service.reconciler
    def progress(p):
        print(p.done, flush=True)
    await part.run(int(job_id), on_progress=progress, concurrency=3)
    print("finished", flush=True)

asyncio.run(main(*sys.argv[1:]))
"""


async def run_and_kill(
    sandbox: SandboxServer, journal: LedgerJournal, kind: str, job_id: int, at_least: int
) -> None:
    """Run job ``job_id`` in a child process against the sandbox (slowed down) and kill
    it with SIGKILL once ``at_least`` items are recorded in the ledger."""
    sandbox.set_faults([FaultSpec("latency", "cc_query", latency_ms=60)])
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        sandbox.url,
        str(journal.path),
        DEMO_MERCHANT.mch_id,
        DEMO_MERCHANT.key,
        kind,
        str(job_id),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        async with asyncio.timeout(60):
            while True:
                line = (await child.stdout.readline()).decode().strip()
                assert line, "the child ended before it was killed"
                assert line != "finished", "the child finished before it was killed"
                if int(line) >= at_least:
                    break
        child.send_signal(signal.SIGKILL)
    finally:
        if child.returncode is None:
            child.kill()
        await child.wait()
    assert child.returncode == -signal.SIGKILL
    sandbox.clear_faults()


def items_of(journal: LedgerJournal, job_id: int) -> list[tuple[int, str, str | None]]:
    with journal.engine.connect() as conn:
        return [
            (int(n), s, at)
            for n, s, at in conn.execute(
                select(ITEMS.c.line_no, ITEMS.c.state, ITEMS.c.done_at)
                .where(ITEMS.c.job_id == job_id)
                .order_by(ITEMS.c.line_no)
            )
        ]


@pytest.mark.asyncio
async def test_an_import_killed_halfway_resumes_without_duplicates(
    service: MoneyService,
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
    tmp_path: Path,
) -> None:
    orders = await _orders(client, 30)
    path = _write(
        tmp_path,
        "payOrderId\n" + "".join(f"{o.pay_order_id}\n" for o in orders) + "BAD LINE\x01\n",
    )
    with pytest.raises(ImportFileProblem):  # a control character: not text
        read_plan(path)
    path = _write(tmp_path, "payOrderId\n" + "".join(f"{o.pay_order_id}\n" for o in orders))
    job_id = await service.imports.start(read_plan(path))
    await run_and_kill(sandbox, journal, "import", job_id, at_least=6)

    killed = await service.imports.summary(job_id)
    assert killed.state == "running"
    assert 6 <= killed.count("booked") < 30
    assert [j.id for j in await service.imports.unfinished()] == [job_id]
    resumed = await service.imports.run(job_id)
    assert resumed.state == "done"
    assert resumed.counts == {"booked": 30}
    items = items_of(journal, job_id)
    assert [n for n, _, _ in items] == list(range(2, 32))
    assert all(s == "booked" and at for _, s, at in items)
    per_order = _per_order(journal)
    assert set(per_order) == {o.pay_order_id for o in orders}
    assert set(per_order.values()) == {1}
