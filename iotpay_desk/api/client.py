"""The async IOTPay V3 client: one method per endpoint, one shared ``httpx.AsyncClient``.

Money-moving calls are sent once, never retried here: when their outcome is unknown
the caller resolves it with :meth:`IotPayClient.query`. ``query`` and ``query_card``
retry with backoff on transport errors.
"""

from __future__ import annotations

import asyncio
import importlib
import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from .errors import CannotConnect, IotPayRejected, OutcomeUnknown
from .models import (
    AddCardRequest,
    Card,
    DirectAddCardRequest,
    Order,
    PurchaseRequest,
    PurchaseWithTokenRequest,
    PurchaseWithWalletRequest,
    QueryCardRequest,
    QueryRequest,
    Redirect,
    RefundRequest,
    Request,
    VoidRequest,
    request_params,
)
from .redact import mask_cards
from .sign import sign

__all__ = [
    "PRODUCTION_URL",
    "TEST_URL",
    "IotPayClient",
    "default_http_client",
    "default_http_pools",
    "is_loopback",
    "load_lazy_modules",
]

log = logging.getLogger(__name__)

PRODUCTION_URL = "https://ccapi.iotpaycloud.com"
TEST_URL = "https://ccdev.iotpaycloud.com"
MAX_CONNECTIONS = 20
POOLS = 5
"""The desk's connections are spread over this many HTTP clients (4 connections each):
httpx's pool does work in proportion to its connections times the requests waiting at
every request, so one pool of 20 spends 1.8 ms of CPU a request where five of 4 spend
1.1 ms (20 in flight, measured with ``bench/bench_import.py``'s sandbox)."""
USER_AGENT = "iotpay-desk"


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses (``127.0.0.0/8``, ``::1``) only."""
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name such as "127.example.com" is not this computer


def default_http_client(
    timeout: float = 30.0, connect_timeout: float = 5.0, *, connections: int = MAX_CONNECTIONS
) -> httpx.AsyncClient:
    """A client as the desk makes them: explicit timeouts and connection limits, TLS
    verification on."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=connect_timeout, pool=timeout),
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        headers={"User-Agent": USER_AGENT},
        trust_env=False,
    )


def default_http_pools(
    timeout: float = 30.0, connect_timeout: float = 5.0, *, pools: int = POOLS
) -> list[httpx.AsyncClient]:
    """The desk's shared clients: :data:`MAX_CONNECTIONS` connections in all, over
    ``pools`` clients (see :data:`POOLS`)."""
    each = max(1, MAX_CONNECTIONS // max(1, pools))
    return [default_http_client(timeout, connect_timeout, connections=each) for _ in range(pools)]


#: How long closing a client waits for requests their callers left (seconds).
CLOSE_GRACE_S = 2.0

#: What the first request would import in the middle of the desk's work: httpx's
#: connection pool loads its async library's asyncio backend (some twenty modules) on
#: first use, and reading a date or a BOM file loads its module. On the window's thread
#: that took 50 ms at the first request of an import (``bench/bench_import.py --qt``).
LAZY_MODULES = ("anyio._backends._asyncio", "_strptime", "encodings.utf_8_sig")


def load_lazy_modules() -> list[str]:
    """Import :data:`LAZY_MODULES` now (at start, before the window is shown); the
    names that could not be (a library that no longer has one) are returned."""
    missing = []
    for name in LAZY_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def _base_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if url.endswith("/v3"):
        url = url[: -len("/v3")]
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValueError("base URL: must be an http(s) URL with a host") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError("base URL: must be an http(s) URL with a host")
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError("base URL: must not carry a query, a fragment or credentials")
    if parts.scheme == "http" and not is_loopback(host):
        raise ValueError("base URL: must use https (plain http only on this computer)")
    return url


class IotPayClient:
    """Speak V3 for one merchant.

    ``http`` may be injected (tests pass one on a sandbox or an ``httpx.MockTransport``), or
    several (:func:`default_http_pools`: each request goes to the one with the fewest in
    flight); otherwise they are made by :func:`default_http_pools` and closed by
    :meth:`aclose`.
    """

    def __init__(
        self,
        base_url: str,
        mch_id: str,
        key: str,
        *,
        http: httpx.AsyncClient | Sequence[httpx.AsyncClient] | None = None,
        max_concurrency: int = MAX_CONNECTIONS,
        query_attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.base_url = _base_url(base_url)
        self.mch_id = mch_id
        self._key = key
        self._own_http = http is None
        if http is None:
            pools = default_http_pools()
        elif isinstance(http, httpx.AsyncClient):
            pools = [http]
        else:
            pools = list(http)
        if not pools:
            raise ValueError("http: at least one client")
        self._pools = pools
        self._in_flight = [0] * len(pools)
        self._gate = asyncio.Semaphore(max_concurrency)
        self._sending: set[asyncio.Future[httpx.Response]] = set()
        self._max_concurrency = max_concurrency
        self._query_attempts = max(1, query_attempts)
        self._backoff = backoff
        self._sleep = sleep

    def __repr__(self) -> str:  # never the key
        return f"IotPayClient({self.base_url!r}, mch_id={self.mch_id!r})"

    async def aclose(self) -> None:
        """Close the client: requests abandoned by their callers get a moment to end
        (:data:`CLOSE_GRACE_S`), then are cancelled; the desk's own pools are closed."""
        sending = set(self._sending)
        if sending:
            _, late = await asyncio.wait(sending, timeout=CLOSE_GRACE_S)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
        if self._own_http:
            for http in self._pools:
                await http.aclose()

    def clone(self) -> IotPayClient:
        """The same merchant and settings over new connections of its own (the desk's
        pools, with this client's timeouts), for an event loop in another thread: an
        HTTP client's connections belong to the loop that opened them. Close it with
        :meth:`aclose` on that loop."""
        timeout = self._pools[0].timeout
        twin = IotPayClient(
            self.base_url,
            self.mch_id,
            self._key,
            http=[
                httpx.AsyncClient(
                    timeout=timeout,
                    limits=httpx.Limits(
                        max_connections=max(1, MAX_CONNECTIONS // POOLS),
                        max_keepalive_connections=max(1, MAX_CONNECTIONS // POOLS),
                    ),
                    headers={"User-Agent": USER_AGENT},
                    trust_env=False,
                )
                for _ in range(POOLS)
            ],
            max_concurrency=self._max_concurrency,
            query_attempts=self._query_attempts,
            backoff=self._backoff,
        )
        twin._own_http = True  # its pools are its own: closed with it
        return twin

    def _pool(self) -> int:
        """The client with the fewest requests in flight (the first of equals)."""
        busy = self._in_flight
        return busy.index(min(busy))

    async def __aenter__(self) -> IotPayClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ transport

    def signed_params(self, req: Request) -> dict[str, Any]:
        """Validate ``req`` and return its params with ``sign`` (raises InvalidRequest)."""
        params = request_params(req, self.mch_id)
        params["sign"] = sign(params, self._key)
        return params

    async def _send(self, url: str, body: bytes) -> httpx.Response:
        """POST ``body`` on the least busy pool, at most ``max_concurrency`` at once.

        The request runs in a task of its own that a caller's cancellation does not
        reach: the caller leaves at once, the request runs to its answer or its timeout
        and gives its connection back. Cancelled in the middle, httpx's connection pool
        (httpcore 1.0.9 over anyio) can keep the request for ever as active: after a few
        stopped imports every connection was held so and each later request failed with
        PoolTimeout until the desk was restarted. What an abandoned request was answered
        is dropped: a money-moving call's outcome is then unknown to its caller and
        resolved with cc_query as always, and the same intent sent again carries the
        same order number."""
        await self._gate.acquire()
        try:
            pool = self._pool()
            post = asyncio.ensure_future(
                self._pools[pool].post(
                    url,
                    content=body,
                    headers={"Content-Type": "application/json;charset=UTF-8"},
                )
            )
        except BaseException:
            self._gate.release()
            raise
        self._in_flight[pool] += 1
        self._sending.add(post)

        def finished(task: asyncio.Future[httpx.Response]) -> None:
            self._sending.discard(task)
            self._in_flight[pool] -= 1
            self._gate.release()
            if not task.cancelled():
                task.exception()  # retrieved: an abandoned request's failure is no error

        post.add_done_callback(finished)
        return await asyncio.shield(post)

    async def _call(self, req: Request) -> dict[str, Any]:
        """Send once. Returns retData of a SUCCESS envelope, raises the taxonomy otherwise."""
        endpoint = req.ENDPOINT
        params = self.signed_params(req)
        body = json.dumps(params, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        url = f"{self.base_url}/v3/{endpoint}"
        log.debug("-> %s", endpoint)
        try:
            resp = await self._send(url, body)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise CannotConnect(endpoint, _reason(exc)) from None
        except httpx.UnsupportedProtocol as exc:
            raise CannotConnect(endpoint, _reason(exc)) from None
        except httpx.RequestError as exc:
            # Read/write timeouts, dropped connections, protocol or decoding errors:
            # it may have reached IOTPay.
            raise OutcomeUnknown(endpoint, _reason(exc)) from None
        if resp.status_code != 200:
            raise OutcomeUnknown(endpoint, f"HTTP {resp.status_code}")
        try:
            envelope = json.loads(resp.content)
        except (ValueError, UnicodeDecodeError):
            raise OutcomeUnknown(endpoint, "the answer was not valid JSON") from None
        if not isinstance(envelope, dict):
            raise OutcomeUnknown(endpoint, "the answer was not a JSON object")
        ret_code = envelope.get("retCode")
        ret_msg = envelope.get("retMsg")
        # retMsg may echo what was sent; a card number in it goes no further masked.
        ret_msg = mask_cards(ret_msg) if isinstance(ret_msg, str) else ""
        log.debug("<- %s %s", endpoint, ret_code)
        if ret_code == "FAIL":
            raise IotPayRejected(endpoint, ret_msg)
        if ret_code != "SUCCESS":
            raise OutcomeUnknown(endpoint, "the answer had no retCode")
        data = envelope.get("retData")
        if not isinstance(data, dict):
            data = {}
        data = dict(data)
        data.setdefault("__retMsg", ret_msg)
        return data

    async def _call_retrying(self, req: Request) -> dict[str, Any]:
        delay = self._backoff
        for attempt in range(1, self._query_attempts + 1):
            try:
                return await self._call(req)
            except (CannotConnect, OutcomeUnknown):
                if attempt == self._query_attempts:
                    raise
                await self._sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    @staticmethod
    def _order(data: dict[str, Any]) -> Order:
        return Order.from_dict(data, ret_msg=str(data.get("__retMsg", "")))

    # ------------------------------------------------------------------ endpoints

    async def purchase(self, req: PurchaseRequest) -> Redirect:
        """cc_purchase: the hosted page for a one-off purchase. The order exists at once."""
        return Redirect.from_dict(await self._call(req))

    async def add_card(self, req: AddCardRequest) -> Redirect:
        """cc_addcard: the hosted page that binds a card to ``req.card_id``."""
        return Redirect.from_dict(await self._call(req))

    async def direct_add_card(self, req: DirectAddCardRequest) -> Card:
        """cc_directaddcard: bind raw card data (PCI DSS merchants only)."""
        return Card.from_dict(await self._call(req))

    async def query_card(self, req: QueryCardRequest) -> Card:
        """cc_querycard, retried with backoff on transport errors."""
        return Card.from_dict(await self._call_retrying(req))

    async def purchase_with_token(self, req: PurchaseWithTokenRequest) -> Order:
        """cc_purchasewithtoken: charge a card on file. Sent once."""
        return self._order(await self._call(req))

    async def purchase_with_wallet(self, req: PurchaseWithWalletRequest) -> Order:
        """cc_purchasewithwallet: charge an Apple Pay / Google Pay token. Sent once."""
        return self._order(await self._call(req))

    async def refund(self, req: RefundRequest) -> Order:
        """cc_refund: all or part of a settled payment. Sent once."""
        return self._order(await self._call(req))

    async def void(self, req: VoidRequest) -> Order:
        """cc_void: cancel an unsettled payment in full. Sent once."""
        return self._order(await self._call(req))

    async def query(self, req: QueryRequest) -> Order:
        """cc_query, retried with backoff on transport errors."""
        return self._order(await self._call_retrying(req))


def _reason(exc: Exception) -> str:
    name = type(exc).__name__
    # httpx messages may hold the URL (no secrets: params travel in the body), keep short.
    text = str(exc).strip()
    return f"{name}: {text}" if text else name
