"""QtWebEngine's helper processes end once no card page has been open for the idle time
(the desk's setting), while the application runs on; a card page then opens again.

Measured on this process's children in /proc (Linux)."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from iotpay_desk.gui.webpage import (
    DEFAULT_IDLE_RELEASE_MS,
    HostedPageDialog,
    PageState,
    release_card_pages,
    set_idle_release,
)
from iotpay_desk.sandbox import SandboxServer

from .conftest import QLoop, until
from .test_webpage import add_card_page

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

RETURN = "https://desk.invalid/return"


def helpers() -> dict[int, list[str]]:
    """QtWebEngine's processes below this one: pid → command line."""
    found: dict[int, list[str]] = {}
    todo = [os.getpid()]
    while todo:
        pid = todo.pop()
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                kids = [int(x) for x in (task / "children").read_text().split()]
            except OSError:
                continue
            for kid in kids:
                try:
                    argv = Path(f"/proc/{kid}/cmdline").read_bytes().decode().split("\0")
                except OSError:
                    continue
                todo.append(kid)
                if Path(argv[0]).name.startswith("QtWebEngineProcess"):
                    found[kid] = argv
    return found


def sandbox_off() -> bool:
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split()
    return bool(os.environ.get("QTWEBENGINE_DISABLE_SANDBOX")) or "--no-sandbox" in flags


def renderers() -> set[int]:
    """The renderer processes: started directly (``--type=renderer``, without zygotes) or
    forked by a zygote (below another helper)."""
    found = helpers()
    return {
        pid
        for pid, argv in found.items()
        if "--type=renderer" in argv or int(_ppid(pid) or 0) in found
    }


def only_zygotes_left() -> bool:
    """What Chromium cannot end while the desk runs: with the sandbox on, its zygotes
    (no renderer left below them); with it off, nothing."""
    return not helpers() if sandbox_off() else not renderers()


def _ppid(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
    except OSError:
        return ""


@pytest.fixture
def idle_release() -> Iterator[None]:
    yield
    set_idle_release(DEFAULT_IDLE_RELEASE_MS)


async def open_and_close(url: str) -> set[int]:
    """Open a card page, wait for it to load, close it; the renderer pids it used."""
    dialog = HostedPageDialog(url, RETURN)
    dialog.open()
    await until(lambda: dialog.state is not PageState.LOADING, what="the page loaded")
    assert dialog.state is PageState.READY
    assert dialog.page is not None
    pid = dialog.page.renderProcessPid()
    dialog.reject()
    dialog.deleteLater()
    return {pid}


def test_the_helpers_end_after_the_idle_time_and_a_page_opens_again(
    qloop: QLoop, sandbox: SandboxServer, idle_release: None
) -> None:
    async def new_page() -> str:
        return await add_card_page(sandbox.url, f"C{uuid.uuid4().hex[:12]}", RETURN)

    # Renderers of pages other tests of this run still hold (ending at their own pace)
    # are not this test's: only the ones started from here on are counted.
    strays = renderers()

    def mine() -> set[int]:
        return renderers() - strays

    def all_ended() -> bool:
        return only_zygotes_left() or (sandbox_off() and not mine())

    async def scenario() -> None:
        release_card_pages()
        set_idle_release(0)  # kept until the desk quits
        used = await open_and_close(await new_page())
        # The closed page's renderer ends with it (no page is kept ready).
        await until(lambda: not mine() & used, what="its renderer ended")
        await open_and_close(await new_page())
        await asyncio.sleep(0.5)

        # The idle time, set short: everything Chromium can end ends, the loop runs on.
        set_idle_release(300)
        await until(all_ended, what="the helper processes ended", within=15)

        # A card page opens again afterwards, and loads.
        await open_and_close(await new_page())
        await until(all_ended, what="the helpers ended again", within=15)

    qloop.run(scenario())
