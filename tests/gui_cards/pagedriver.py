"""Drive a hosted card page in a real QWebEngineView as a person would, from a coroutine.

Mouse clicks on the fields, key presses on the view's focus proxy, a click on the submit
button; the page's state is read with JavaScript (its answer awaited on the qasync loop,
never with a nested event loop).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget


def future_mmyy(years: int = 3) -> str:
    t = time.localtime()
    return f"{t.tm_mon:02d}{(t.tm_year + years) % 100:02d}"


class PageDriver:
    def __init__(self, view: QWebEngineView) -> None:
        self.view = view

    @property
    def page(self) -> Any:
        return self.view.page()

    async def js(self, expression: str) -> Any:
        """Evaluate ``expression`` in the page; the value travels as JSON."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()

        def got(value: Any) -> None:
            if not fut.done():
                loop.call_soon_threadsafe(fut.set_result, value)

        self.page.runJavaScript(f"JSON.stringify(({expression}))", 0, got)
        value = await asyncio.wait_for(fut, 5)
        return json.loads(value) if isinstance(value, str) and value else None

    async def wait_js(
        self, expression: str, ok: Callable[[Any], bool], within: float = 8.0, what: str = ""
    ) -> Any:
        deadline = time.monotonic() + within
        while True:
            value = await self.js(expression)
            if ok(value):
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{what or expression}: still {value!r} after {within} s")
            await asyncio.sleep(0.02)

    async def wait_loaded(self) -> None:
        await self.wait_js(
            "document.readyState === 'complete' && !!document.getElementById('card-form')",
            lambda v: v is True,
            what="the hosted form",
        )

    async def value(self, ident: str) -> str:
        return str(await self.js(f"document.getElementById({json.dumps(ident)}).value"))

    async def text(self, ident: str) -> str:
        got = await self.js(f"document.getElementById({json.dumps(ident)}).textContent")
        return str(got).strip()

    async def wait_value(self, ident: str, expected: str, within: float = 8.0) -> None:
        await self.wait_js(
            f"document.getElementById({json.dumps(ident)}).value",
            lambda v: v == expected,
            within=within,
            what=f"#{ident}.value != {expected!r}",
        )

    async def wait_text(self, ident: str, expected: str) -> None:
        await self.wait_js(
            f"document.getElementById({json.dumps(ident)}).textContent.trim()",
            lambda v: v == expected,
            what=f"#{ident} text != {expected!r}",
        )

    # ---- acting

    @property
    def proxy(self) -> QWidget:
        target = self.view.focusProxy()
        assert target is not None
        return target

    async def center(self, ident: str) -> QPoint:
        r = await self.js(
            f"""(function () {{
                var el = document.getElementById({json.dumps(ident)});
                el.scrollIntoView({{block: "center"}});
                var r = el.getBoundingClientRect();
                return [r.left + r.width / 2, r.top + r.height / 2];
            }})()"""
        )
        zoom = self.page.zoomFactor()
        return QPoint(round(r[0] * zoom), round(r[1] * zoom))

    async def click(self, ident: str) -> None:
        pos = await self.center(ident)
        QTest.mouseMove(self.proxy, pos)
        QTest.mouseClick(self.proxy, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)

    async def focus(self, ident: str, within: float = 8.0) -> None:
        """Click the field until the page says it has focus.

        A click that arrives while the view's render widget is still being set up is
        dropped by Chromium (seen on a loaded CI machine); a person would click again,
        and so does this.
        """
        deadline = time.monotonic() + within
        active = "document.activeElement && document.activeElement.id"
        while True:
            await self.click(ident)
            try:
                await self.wait_js(active, lambda v: v == ident, within=1.0)
                return
            except AssertionError:
                if time.monotonic() > deadline:
                    value = await self.js(active)
                    raise AssertionError(
                        f"focus on #{ident}: still {value!r} after {within} s"
                    ) from None

    async def type(self, ident: str, text: str) -> None:
        await self.focus(ident)
        QTest.keyClicks(self.proxy, text)

    async def fill(self, number: str, expiry: str, cvv: str, holder: str) -> None:
        """Type the four fields and wait until the page shows them."""
        await self.type("card-number", number)
        digits = number.replace(" ", "")
        grouped = " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
        await self.wait_value("card-number", grouped)
        await self.type("card-expiry", expiry)
        await self.wait_value("card-expiry", f"{expiry[:2]}/{expiry[2:]}")
        await self.type("card-cvv", cvv)
        await self.wait_value("card-cvv", cvv)
        await self.type("card-holder", holder)
        await self.wait_value("card-holder", holder)
