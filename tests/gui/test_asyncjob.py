"""run_busy: controls disabled and progress shown while work runs, and always given back."""

from __future__ import annotations

import asyncio
from typing import final

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from iotpay_desk.api import CannotConnect, IotPayClient, QueryRequest
from iotpay_desk.gui.asyncjob import BusyIndicator, JobResult, async_slot, run_busy
from iotpay_desk.gui.errors import Kind, UserMessage
from iotpay_desk.sandbox import SandboxServer
from tests.gui.conftest import QLoop, message_boxes, until


@final
class Screen(QWidget):
    """A small screen in the desk's pattern: a button whose slot awaits run_busy."""

    def __init__(self, work: object) -> None:
        super().__init__()
        self.work = work
        self.button = QPushButton("Look up", self)
        self.field = QLineEdit(self)
        self.busy = BusyIndicator(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addWidget(self.button)
        layout.addWidget(self.busy)
        self.results: list[JobResult[object]] = []
        self.button.clicked.connect(self.go)

    @async_slot()
    async def go(self) -> None:
        factory = self.work
        assert callable(factory)
        result = await run_busy(
            [self.button, self.field], factory(), progress_text="Looking up the order…"
        )
        self.results.append(result)


@pytest.fixture
def screen_factory(qtbot: QtBot):
    def make(work: object) -> Screen:
        s = Screen(work)
        qtbot.addWidget(s)
        s.show()
        return s

    return make


def test_button_and_progress_come_back_after_success(qloop: QLoop, screen_factory) -> None:
    gate = asyncio.Event()

    async def work() -> str:
        await gate.wait()
        return "order PC123"

    screen = screen_factory(work)

    async def scenario() -> None:
        screen.button.click()
        await until(lambda: screen.busy.busy, what="busy")
        assert not screen.button.isEnabled()
        assert not screen.field.isEnabled()
        assert screen.busy.isVisible()
        assert screen.busy.text() == "Looking up the order…"
        gate.set()
        await until(lambda: screen.results, what="result")

    qloop.run(scenario())
    assert screen.results[0].ok
    assert screen.results[0].value == "order PC123"
    assert screen.button.isEnabled()
    assert screen.field.isEnabled()
    assert not screen.busy.isVisible()
    assert message_boxes(screen) == []


def test_button_and_progress_come_back_after_a_real_connection_error(
    qloop: QLoop, screen_factory, qtbot: QtBot, unused_port: int
) -> None:
    """Nothing listens on the port: the real client raises CannotConnect."""
    client = IotPayClient(f"http://127.0.0.1:{unused_port}", "10000701", "k" * 32, query_attempts=1)

    async def work() -> object:
        try:
            return await client.query(QueryRequest(mch_order_no="A1"))
        finally:
            await client.aclose()

    screen = screen_factory(work)

    async def scenario() -> None:
        qtbot.mouseClick(screen.button, Qt.MouseButton.LeftButton)
        await until(lambda: screen.results, what="result")

    qloop.run(scenario())
    result = screen.results[0]
    assert not result.ok
    assert result.message is not None
    assert result.message.kind is Kind.USER
    assert screen.button.isEnabled()
    assert screen.field.isEnabled()
    assert not screen.busy.isVisible()
    boxes = message_boxes(screen)
    assert len(boxes) == 1
    assert boxes[0].text() == (
        "Could not reach IOTPay. Check the internet connection and try again."
    )
    # open(), not exec(): window-modal, the loop keeps running.
    assert boxes[0].windowModality() == Qt.WindowModality.WindowModal


def test_unexpected_error_is_logged_and_shown_with_redacted_details(
    qloop: QLoop, screen_factory, caplog: pytest.LogCaptureFixture
) -> None:
    async def work() -> None:
        raise RuntimeError("bug while handling card 4242424242424242")

    screen = screen_factory(work)

    async def scenario() -> None:
        screen.button.click()
        await until(lambda: screen.results, what="result")

    qloop.run(scenario())
    assert screen.button.isEnabled()
    (box,) = message_boxes(screen)
    assert "Something unexpected went wrong" in box.text()
    assert "RuntimeError" in box.detailedText()
    assert "4242424242424242" not in box.detailedText()
    assert "424242******4242" in box.detailedText()
    assert "Looking up the order… failed" in caplog.text


def test_cancellation_gives_controls_back_silently(qloop: QLoop, screen_factory) -> None:
    started = asyncio.Event()

    async def work() -> None:
        started.set()
        await asyncio.sleep(60)

    screen = screen_factory(work)

    async def scenario() -> None:
        task = screen.go()
        await started.wait()
        assert not screen.button.isEnabled()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    qloop.run(scenario())
    assert screen.button.isEnabled()
    assert screen.field.isEnabled()
    assert not screen.busy.isVisible()
    assert screen.results == []
    assert message_boxes(screen) == []


def test_control_disabled_before_stays_disabled(qloop: QLoop, qtbot: QtBot) -> None:
    a, b = QPushButton("a"), QPushButton("b")
    qtbot.addWidget(a)
    qtbot.addWidget(b)
    b.setEnabled(False)

    async def scenario() -> JobResult[int]:
        async def work() -> int:
            assert not a.isEnabled()
            return 7

        return await run_busy([a, b], work(), progress_text="x")

    result = qloop.run(scenario())
    assert result.value == 7
    assert a.isEnabled()
    assert not b.isEnabled()


def test_on_error_gets_user_errors_instead_of_a_box(qloop: QLoop, qtbot: QtBot) -> None:
    button = QPushButton("go")
    qtbot.addWidget(button)
    seen: list[UserMessage] = []

    async def scenario() -> JobResult[None]:
        async def work() -> None:
            raise CannotConnect("cc_query", "ConnectError")

        return await run_busy(button, work(), progress_text="x", on_error=seen.append)

    result = qloop.run(scenario())
    assert not result.ok
    assert [m.kind for m in seen] == [Kind.USER]
    assert message_boxes(button) == []


def test_concurrent_jobs_share_the_indicator(qloop: QLoop, qtbot: QtBot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    busy = BusyIndicator(holder)
    one, two = QPushButton("1", holder), QPushButton("2", holder)
    holder.show()
    first_done, second_done = asyncio.Event(), asyncio.Event()

    async def scenario() -> None:
        t1 = asyncio.ensure_future(run_busy(one, first_done.wait(), progress_text="first"))
        await until(lambda: busy.text() == "first")
        t2 = asyncio.ensure_future(run_busy(two, second_done.wait(), progress_text="second"))
        await until(lambda: busy.text() == "second")
        second_done.set()
        await t2
        assert busy.busy
        assert busy.text() == "first"
        first_done.set()
        await t1
        assert not busy.busy
        assert not busy.isVisible()

    qloop.run(scenario())


def test_work_against_the_real_sandbox(
    qloop: QLoop, screen_factory, sandbox: SandboxServer
) -> None:
    """An order that does not exist: IOTPay's own retMsg reaches the user."""
    client = IotPayClient(sandbox.url, "10000701", "SANDBOX_DEMO_KEY_not_secret_0001")

    async def work() -> object:
        try:
            return await client.query(QueryRequest(mch_order_no="NO-SUCH-ORDER"))
        finally:
            await client.aclose()

    screen = screen_factory(work)

    async def scenario() -> None:
        screen.button.click()
        await until(lambda: screen.results, what="result")

    qloop.run(scenario())
    msg = screen.results[0].message
    assert msg is not None
    assert msg.kind is Kind.USER
    assert "IOTPay has no such order or card" in msg.text
    assert screen.button.isEnabled()


def test_overlapping_jobs_on_one_control_give_it_back(qloop: QLoop, qtbot: QtBot) -> None:
    """A second job starts on a control the first one disabled; whichever ends last, the
    control comes back enabled (not 'as it was when the second job started')."""
    field = QLineEdit()
    qtbot.addWidget(field)
    first_done, second_done = asyncio.Event(), asyncio.Event()

    async def scenario() -> None:
        t1 = asyncio.ensure_future(run_busy(field, first_done.wait(), progress_text="1"))
        await until(lambda: not field.isEnabled())
        t2 = asyncio.ensure_future(run_busy(field, second_done.wait(), progress_text="2"))
        await asyncio.sleep(0.02)
        first_done.set()
        await t1
        assert not field.isEnabled()  # the second job still holds it
        second_done.set()
        await t2

    qloop.run(scenario())
    assert field.isEnabled()
