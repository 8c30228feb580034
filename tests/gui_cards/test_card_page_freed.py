"""A closed card page is gone: its dialog, web view and web page are destroyed, not kept
by the window that was their parent (the real web view, the real sandbox).

The desk collects cyclic garbage only on a GUI-thread timer, and freezes the heap once a
first import (QtWebEngine's, on the first card page) made it settle (``gui.gcollect``):
whatever is alive then, the open dialog included, is never walked by the collector
again. So each test freezes the heap while the page is open and leaves automatic
collection off: a closed dialog must go by its reference count, once Qt has deleted it.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from iotpay_desk.gui.purchase_dialog import PurchaseDialog
from iotpay_desk.gui.vault import VaultPage
from iotpay_desk.gui.webpage import HostedPageDialog, PageState
from iotpay_desk.sandbox import SandboxServer

from .conftest import QLoop, until
from .desk import TEST_CARDS, desk_services
from .pagedriver import PageDriver, future_mmyy


@contextmanager
def heap_frozen_as_in_the_desk() -> Iterator[None]:
    """Automatic collection off and everything alive now frozen, as the desk's collector
    leaves them after QtWebEngine's first import."""
    was_enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def refs_of(dialog: HostedPageDialog) -> list[weakref.ref[Any]]:
    """Weak references to the dialog, its web view and its web page."""
    assert dialog.view is not None
    assert dialog.page is not None
    return [weakref.ref(dialog), weakref.ref(dialog.view), weakref.ref(dialog.page)]


async def all_gone(refs: list[weakref.ref[Any]], what: str) -> None:
    await until(lambda: all(r() is None for r in refs), what=what)


async def loaded(shown: Callable[[], HostedPageDialog | None]) -> HostedPageDialog:
    """The dialog ``shown()`` gives, once it is there and its page has loaded."""
    await until(lambda: shown() is not None, what="the page's dialog")
    dialog = shown()
    assert dialog is not None
    await until(lambda: dialog.state is PageState.READY, what="the page loaded")
    return dialog


async def loaded_card_page(page: VaultPage) -> HostedPageDialog:
    page.add_button.click()
    return await loaded(lambda: page.hosted_dialog)


def test_the_vaults_card_page_is_destroyed_once_closed_or_returned(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "journal.sqlite3") as s:
            page = VaultPage()
            page.set_services(s.cards, s.money)
            page.show()

            # Cancelled.
            page.new_label.setText("Grace H.")
            dialog = await loaded_card_page(page)
            refs = refs_of(dialog)
            with heap_frozen_as_in_the_desk():
                dialog.cancel_button.click()
                del dialog
                await until(lambda: page.add_message.isVisible(), what="the message")
                assert page.add_message.text() == "The card page was closed: no card was added."
                await all_gone(refs, "the cancelled card page destroyed")
            assert page.window().findChildren(HostedPageDialog) == []

            # Returned: the card typed on the page and saved.
            added: list[str] = []
            page.card_added.connect(added.append)
            page.new_label.setText("Ada L.")
            dialog = await loaded_card_page(page)
            refs = refs_of(dialog)
            with heap_frozen_as_in_the_desk():
                driver = PageDriver(dialog.view)  # type: ignore[arg-type]
                await driver.wait_loaded()
                await driver.fill(TEST_CARDS["visa"], future_mmyy(), "123", "Ada Lovelace")
                await driver.click("submit")
                del dialog, driver
                await until(lambda: bool(added), what="the card confirmed", within=15)
                await all_gone(refs, "the returned card page destroyed")
            assert page.window().findChildren(HostedPageDialog) == []
            page.close()

    qloop.run(scenario())


def test_the_payment_page_keyed_in_is_destroyed_once_closed(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "journal.sqlite3") as s:
            purchase = PurchaseDialog(s.money, follow_interval=0.05)
            purchase.open()
            purchase.amount.setText("12.50")
            purchase.key_in_button.click()
            dialog = await loaded(lambda: purchase.hosted_dialog)
            refs = refs_of(dialog)
            with heap_frozen_as_in_the_desk():
                dialog.cancel_button.click()
                del dialog
                await until(lambda: "closed" in purchase.status.text(), what="the page said closed")
                await all_gone(refs, "the payment page destroyed")
            assert purchase.findChildren(HostedPageDialog) == []
            assert purchase.isVisible()  # the purchase itself goes on (it follows the order)
            purchase.close()

    qloop.run(scenario())
