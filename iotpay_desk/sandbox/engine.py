"""What IOTPay does with each call: the sandbox's rules, over the SQLite store.

Every public method takes already-parsed JSON and returns the envelope to answer
(``{"retCode", "retMsg", "retData"}``). It holds the store's lock for the whole
operation, so checks and writes are atomic (twenty racing calls with one
``mchOrderNo`` make exactly one order). Field rules come from the protocol core
(:mod:`iotpay_desk.api.models` / :mod:`iotpay_desk.api.rules`); the sandbox adds only
what IOTPay decides on its side (settlement, uniqueness, test cards).
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import sqlite3
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import time as dtime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from iotpay_desk.api import (
    AddCardRequest,
    DirectAddCardRequest,
    InvalidRequest,
    PurchaseRequest,
    PurchaseWithTokenRequest,
    PurchaseWithWalletRequest,
    QueryCardRequest,
    QueryRequest,
    RefundRequest,
    Request,
    VoidRequest,
    request_params,
    rules,
    sign,
    verify_sign,
)

from . import cards
from .clock import TORONTO, SandboxClock, next_cutoff
from .merchants import Merchant
from .store import Store

__all__ = [
    "MAX_NOTIFY_ATTEMPTS",
    "NOTIFY_RETRY_S",
    "SECURE_ID_TTL_S",
    "Engine",
    "Fail",
    "NotifyJob",
    "SessionView",
]

SECURE_ID_TTL_S = 3600.0
NOTIFY_RETRY_S = 60.0
MAX_NOTIFY_ATTEMPTS = 5
_SECURE_ID = re.compile(r"[0-9a-f]{64}")

# Fields the merchant document requires and the sandbox accepts missing (reference §3).
_SANDBOX_OPTIONAL = {"mchUserId": "-"}

_SIGNED_MODELS: dict[str, type[Request]] = {
    "cc_purchase": PurchaseRequest,
    "cc_addcard": AddCardRequest,
    "cc_directaddcard": DirectAddCardRequest,
    "cc_querycard": QueryCardRequest,
    "cc_purchasewithtoken": PurchaseWithTokenRequest,
    "cc_purchasewithwallet": PurchaseWithWalletRequest,
    "cc_refund": RefundRequest,
    "cc_void": VoidRequest,
    "cc_query": QueryRequest,
}
SIGNED_ENDPOINTS: tuple[str, ...] = tuple(_SIGNED_MODELS)
HOSTED_ENDPOINTS: tuple[str, ...] = ("cc_pfpurchase", "cc_pfaddcard")


class Fail(Exception):
    """The call is refused: answer a FAIL envelope with ``ret_msg``."""

    def __init__(self, ret_msg: str) -> None:
        super().__init__(ret_msg)
        self.ret_msg = ret_msg


def ok(data: Mapping[str, Any], ret_msg: str = "") -> dict[str, Any]:
    return {"retCode": "SUCCESS", "retMsg": ret_msg, "retData": dict(data)}


def fail(ret_msg: str) -> dict[str, Any]:
    return {"retCode": "FAIL", "retMsg": ret_msg, "retData": {}}


@dataclass(frozen=True, slots=True)
class NotifyJob:
    pay_order_id: str
    url: str
    attempt: int
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SessionView:
    """What a hosted page needs about its secureId."""

    state: str  # "ok" | "unknown" | "expired" | "used"
    kind: str = ""
    merchant_name: str = ""
    amount_cents: int | None = None
    currency: str = "CAD"
    expires_in_s: float = 0.0


def append_query(url: str, params: Iterable[tuple[str, str]]) -> str:
    """``url`` with ``params`` appended to whatever query it already had."""
    parts = urlsplit(url)
    extra = urlencode(list(params))
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def order_json(row: sqlite3.Row) -> dict[str, Any]:
    """IOTPay's order object from an ``orders`` row."""
    d: dict[str, Any] = {
        "payOrderId": row["pay_order_id"],
        "mchId": row["mch_id"],
        "mchOrderNo": row["mch_order_no"],
        "originalOrderId": row["original_order_id"],
        "amount": row["amount"],
        "currency": row["currency"],
        "payType": row["pay_type"],
        "refundable": row["refundable"],
        "status": row["status"],
        "invoiceNum": row["invoice_num"],
        "paySuccTime": row["pay_succ_time"],
        "cardNum": row["card_num"],
        "cardType": row["card_type"],
        "expiryDate": row["expiry_date"],
        "authNum": row["auth_num"],
        "transNum": row["trans_num"],
        "channel": row["channel"],
    }
    if row["capture"] is not None:
        d["capture"] = row["capture"]
    return d


def _digits(n: int) -> str:
    return str(secrets.randbelow(10**n)).zfill(n)


class Engine:
    """IOTPay's side of every call. ``on_change`` is called after anything is scheduled."""

    def __init__(
        self,
        store: Store,
        clock: SandboxClock,
        cutoff: dtime,
        *,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.cutoff = cutoff
        self.on_change = on_change or (lambda: None)
        self._merchants: dict[str, Merchant] = {}
        self._load_merchants()

    # ------------------------------------------------------------------ merchants

    def _load_merchants(self) -> None:
        with self.store.lock:
            rows = self.store.db.execute(
                "SELECT mch_id, key, login, name FROM merchants"
            ).fetchall()
        self._merchants = {
            r["mch_id"]: Merchant(r["mch_id"], r["key"], r["login"], r["name"]) for r in rows
        }

    def upsert_merchants(self, merchants: Iterable[Merchant]) -> None:
        """Merchants given at start replace stored ones with the same mchId."""

        def work() -> None:
            for m in merchants:
                self.store.db.execute(
                    "INSERT INTO merchants (mch_id, key, login, name) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(mch_id) DO UPDATE SET key=excluded.key, login=excluded.login, "
                    "name=excluded.name",
                    (m.mch_id, m.key, m.login, m.name),
                )

        self.store.transaction(work)
        self._load_merchants()

    def merchants(self) -> list[Merchant]:
        return list(self._merchants.values())

    # ------------------------------------------------------------------ helpers

    def _now(self) -> float:
        return self.clock.now()

    @staticmethod
    def _local(ts: float) -> datetime:
        return datetime.fromtimestamp(ts, TORONTO)

    def _fmt_time(self, ts: float) -> str:
        return self._local(ts).strftime("%Y-%m-%d %H:%M:%S")

    def _new_order_id(self, prefix: str, now: float) -> str:
        stamp = self._local(now).strftime("%Y%m%d%H%M%S")
        while True:
            candidate = f"{prefix}{stamp}{_digits(12)}"
            if not self.store.db.execute(
                "SELECT 1 FROM orders WHERE pay_order_id = ?", (candidate,)
            ).fetchone():
                return candidate

    def _order_no_free(self, mch_id: str, order_no: str, field: str) -> None:
        if self.store.db.execute(
            "SELECT 1 FROM orders WHERE mch_id = ? AND mch_order_no = ?", (mch_id, order_no)
        ).fetchone():
            raise Fail(f"{field}: already used ({field} must be unique per merchant)")

    def _insert_order(self, field: str, **cols: Any) -> None:
        names = ", ".join(cols)
        marks = ", ".join("?" for _ in cols)
        try:
            self.store.db.execute(
                f"INSERT INTO orders ({names}) VALUES ({marks})",  # noqa: S608 - fixed column names
                tuple(cols.values()),
            )
        except sqlite3.IntegrityError:
            raise Fail(f"{field}: already used ({field} must be unique per merchant)") from None

    def _order(self, pay_order_id: str) -> sqlite3.Row:
        row: sqlite3.Row | None = self.store.db.execute(
            "SELECT * FROM orders WHERE pay_order_id = ?", (pay_order_id,)
        ).fetchone()
        assert row is not None
        return row

    def _is_settled(self, row: sqlite3.Row, now: float) -> bool:
        return bool(row["settled"]) or (row["settle_at"] is not None and now >= row["settle_at"])

    def _succeed(self, pay_order_id: str, at: float) -> None:
        """A payment succeeds at sandbox time ``at``: refundable, settlement, notify."""
        row = self._order(pay_order_id)
        self.store.db.execute(
            "UPDATE orders SET status = 2, ret_msg = '', refundable = amount, pay_succ_time = ?, "
            "succeeded_at = ?, settle_at = ?, resolve_at = NULL, auth_num = ?, trans_num = ?, "
            "capture = CASE WHEN endpoint = 'cc_purchasewithwallet' THEN 'Y' ELSE capture END "
            "WHERE pay_order_id = ?",
            (
                self._fmt_time(at),
                at,
                next_cutoff(at, self.cutoff),
                _digits(6),
                _digits(12),
                pay_order_id,
            ),
        )
        self._schedule_notify(row, at)

    def _schedule_notify(self, row: sqlite3.Row, at: float) -> None:
        if row["notify_url"]:
            self.store.db.execute(
                "UPDATE orders SET notify_state = 'pending', notify_attempts = 0, "
                "notify_next_at = ? WHERE pay_order_id = ?",
                (at, row["pay_order_id"]),
            )

    def _resolve_due(self, now: float) -> None:
        """Pending payments whose time has come succeed (the pending test card)."""
        due = self.store.db.execute(
            "SELECT pay_order_id, resolve_at FROM orders "
            "WHERE status = 0 AND resolve_at IS NOT NULL AND resolve_at <= ?",
            (now,),
        ).fetchall()
        if due:

            def work() -> None:
                for r in due:
                    self._succeed(r["pay_order_id"], r["resolve_at"])

            self.store.transaction(work)
            self.on_change()

    def _settle_due(self, now: float) -> None:
        self.store.db.execute(
            "UPDATE orders SET settled = 1 WHERE settled = 0 AND settle_at IS NOT NULL "
            "AND settle_at <= ?",
            (now,),
        )

    # ------------------------------------------------------------------ entry points

    def handle(self, endpoint: str, params: Any, *, base_url: str) -> dict[str, Any]:
        """Answer one ``/v3/<endpoint>`` call whose body parsed as JSON."""
        try:
            if not isinstance(params, dict):
                raise Fail("request body: must be a JSON object")
            if endpoint == "cc_pfpurchase":
                return self._pf_purchase(params)
            if endpoint == "cc_pfaddcard":
                return self._pf_addcard(params)
            return self._signed(endpoint, params, base_url)
        except Fail as exc:
            return fail(exc.ret_msg)

    def _signed(self, endpoint: str, params: dict[str, Any], base_url: str) -> dict[str, Any]:
        model = _SIGNED_MODELS[endpoint]
        mch_id = params.get("mchId")
        if mch_id is None or mch_id == "":
            raise Fail("mchId: is required")
        problem = rules.id30(mch_id)
        if problem:
            raise Fail(f"mchId: {problem}")
        merchant = self._merchants.get(mch_id)
        if merchant is None:
            raise Fail("mchId: unknown merchant")
        if "sign" not in params or params["sign"] in (None, ""):
            raise Fail("sign: is required")
        if not verify_sign(params, merchant.key, accept_casefold=True):
            raise Fail("sign: signature verification failed (wrong key or altered message)")
        clean = self._validate(model, params, mch_id)
        login = clean.get("loginName")
        if merchant.login is not None and login is not None and login != merchant.login:
            raise Fail("loginName: not an operator of this merchant")
        op: Callable[[Merchant, dict[str, Any], str], dict[str, Any]] = getattr(
            self, "_" + endpoint
        )
        with self.store.lock:
            return op(merchant, clean, base_url)

    @staticmethod
    def _validate(model: type[Request], params: dict[str, Any], mch_id: str) -> dict[str, Any]:
        """Check ``params`` with the core's request model; return the clean params."""
        kwargs: dict[str, Any] = {}
        filled: list[str] = []
        assert dataclasses.is_dataclass(model)
        for f in dataclasses.fields(model):
            api = f.metadata.get("api")
            if api is None:
                continue
            value = params.get(api)
            if (value is None or value == "") and api in _SANDBOX_OPTIONAL:
                value = _SANDBOX_OPTIONAL[api]
                filled.append(api)
            if value is None or value == "":
                if f.metadata["required"]:
                    kwargs[f.name] = None  # request_params names it "is required"
                continue
            kwargs[f.name] = value
        try:
            clean = request_params(model(**kwargs), mch_id)
        except InvalidRequest as exc:
            raise Fail(f"{exc.field}: {exc.rule}") from None
        for api in filled:
            clean.pop(api, None)
        return clean

    # ------------------------------------------------------------------ hosted pages

    def _cc_purchase(self, m: Merchant, p: dict[str, Any], base_url: str) -> dict[str, Any]:
        now = self._now()
        secure_id = secrets.token_hex(32)

        def work() -> None:
            self._order_no_free(m.mch_id, p["mchOrderNo"], "mchOrderNo")
            pay_order_id = self._new_order_id("PC", now)
            self._insert_order(
                "mchOrderNo",
                pay_order_id=pay_order_id,
                mch_id=m.mch_id,
                mch_order_no=p["mchOrderNo"],
                amount=p["amount"],
                currency=p.get("currency", "CAD"),
                pay_type="pay",
                status=0,
                invoice_num=_digits(10),
                channel=p.get("channel", "PF_CC"),
                endpoint="cc_purchase",
                mch_user_id=p.get("mchUserId", ""),
                login_name=p["loginName"],
                subject=p.get("subject", ""),
                body=p.get("body", ""),
                notify_url=p["notifyUrl"],
                return_url=p["returnUrl"],
                created_at=now,
            )
            self._insert_session(secure_id, "purchase", m.mch_id, now, p, pay_order_id=pay_order_id)

        self.store.transaction(work)
        return ok({"redirectUrl": f"{base_url}/cc/purchase?key={secure_id}", "secureId": secure_id})

    def _cc_addcard(self, m: Merchant, p: dict[str, Any], base_url: str) -> dict[str, Any]:
        now = self._now()
        secure_id = secrets.token_hex(32)

        def work() -> None:
            self._card_id_free(m.mch_id, p["cardId"])
            self._insert_session(secure_id, "addcard", m.mch_id, now, p, card_id=p["cardId"])

        self.store.transaction(work)
        return ok({"redirectUrl": f"{base_url}/cc/addcard?key={secure_id}", "secureId": secure_id})

    def _insert_session(
        self,
        secure_id: str,
        kind: str,
        mch_id: str,
        now: float,
        p: dict[str, Any],
        *,
        pay_order_id: str = "",
        card_id: str = "",
    ) -> None:
        self.store.db.execute(
            "INSERT INTO sessions (secure_id, kind, mch_id, pay_order_id, card_id, login_name, "
            "return_url, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                secure_id,
                kind,
                mch_id,
                pay_order_id,
                card_id,
                p.get("loginName", ""),
                p["returnUrl"],
                now,
                now + SECURE_ID_TTL_S,
            ),
        )

    def _session_row(self, secure_id: Any, kind: str, now: float) -> sqlite3.Row:
        if secure_id is None or secure_id == "":
            raise Fail("secureId: is required")
        if not isinstance(secure_id, str) or not _SECURE_ID.fullmatch(secure_id):
            raise Fail("secureId: unknown or expired payment page; start again")
        row: sqlite3.Row | None = self.store.db.execute(
            "SELECT * FROM sessions WHERE secure_id = ? AND kind = ?", (secure_id, kind)
        ).fetchone()
        if row is None or now >= row["expires_at"]:
            raise Fail("secureId: unknown or expired payment page; start again")
        if row["used_at"] is not None:
            raise Fail("secureId: this page was already used; start again")
        return row

    def session_view(self, kind: str, secure_id: str) -> SessionView:
        """For ``GET /cc/<kind>?key=``: is the page valid, and what does it show."""
        now = self._now()
        if not _SECURE_ID.fullmatch(secure_id or ""):
            return SessionView("unknown")
        with self.store.lock:
            row = self.store.db.execute(
                "SELECT * FROM sessions WHERE secure_id = ? AND kind = ?", (secure_id, kind)
            ).fetchone()
            if row is None:
                return SessionView("unknown")
            if row["used_at"] is not None:
                return SessionView("used", kind)
            if now >= row["expires_at"]:
                return SessionView("expired", kind)
            amount: int | None = None
            currency = "CAD"
            if kind == "purchase":
                order = self._order(row["pay_order_id"])
                amount, currency = order["amount"], order["currency"]
        merchant = self._merchants.get(row["mch_id"])
        return SessionView(
            "ok",
            kind,
            merchant_name=merchant.name if merchant else row["mch_id"],
            amount_cents=amount,
            currency=currency,
            expires_in_s=row["expires_at"] - now,
        )

    def _card_fields(self, data: dict[str, Any], now: float) -> tuple[str, str, str]:
        """Validate hosted-page card data; return (cardNum, expiryDate, holder)."""
        checks: list[tuple[str, rules.Rule]] = [
            ("cardNum", rules.card_number),
            ("expiryDate", rules.mmyy),
            ("cvv", rules.cvv),
            ("holder", rules.text(64)),
        ]
        for name, rule in checks:
            value = data.get(name)
            if value is None or value == "":
                raise Fail(f"{name}: is required")
            problem = rule(value)
            if problem:
                raise Fail(f"{name}: {problem}")
        if cards.is_expired(data["expiryDate"], self._local(now)):
            raise Fail("expiryDate: card expired")
        return data["cardNum"], data["expiryDate"], data["holder"].strip()

    def _pf_purchase(self, data: dict[str, Any]) -> dict[str, Any]:
        now = self._now()
        with self.store.lock:
            session = self._session_row(data.get("secureId"), "purchase", now)
            card_num, expiry, _holder = self._card_fields(data, now)
            behaviour = cards.behaviour_of(card_num)
            order = self._order(session["pay_order_id"])
            card_cols = (cards.masked(card_num), cards.card_type_of(card_num), expiry)

            def work() -> None:
                self.store.db.execute(
                    "UPDATE orders SET card_num = ?, card_type = ?, expiry_date = ? "
                    "WHERE pay_order_id = ?",
                    (*card_cols, order["pay_order_id"]),
                )
                if behaviour == "decline":
                    self.store.db.execute(
                        "UPDATE orders SET status = 9, ret_msg = 'card declined' "
                        "WHERE pay_order_id = ?",
                        (order["pay_order_id"],),
                    )
                    return  # the page may be retried with another card
                self.store.db.execute(
                    "UPDATE sessions SET used_at = ? WHERE secure_id = ?",
                    (now, session["secure_id"]),
                )
                if behaviour == "pending":
                    self.store.db.execute(
                        "UPDATE orders SET status = 0, ret_msg = '', resolve_at = ? "
                        "WHERE pay_order_id = ?",
                        (now + cards.PENDING_DELAY_S, order["pay_order_id"]),
                    )
                else:
                    self._succeed(order["pay_order_id"], now)

            self.store.transaction(work)
        self.on_change()
        status = {"approve": 2, "pending": 0, "decline": 9}[behaviour]
        params: list[tuple[str, str]] = [("retCode", "FAIL" if status == 9 else "SUCCESS")]
        if status == 9:
            params.append(("retMsg", "card declined"))
        params += [("status", str(status)), ("mchOrderNo", order["mch_order_no"])]
        redirect = append_query(session["return_url"], params)
        return ok(
            {"redirectUrl": redirect, "status": status, "payOrderId": order["pay_order_id"]},
            "card declined" if status == 9 else "",
        )

    def _pf_addcard(self, data: dict[str, Any]) -> dict[str, Any]:
        now = self._now()
        with self.store.lock:
            session = self._session_row(data.get("secureId"), "addcard", now)
            card_num, expiry, holder = self._card_fields(data, now)
            taken = self.store.db.execute(
                "SELECT 1 FROM cards WHERE mch_id = ? AND card_id = ?",
                (session["mch_id"], session["card_id"]),
            ).fetchone()

            def work() -> None:
                self.store.db.execute(
                    "UPDATE sessions SET used_at = ? WHERE secure_id = ?",
                    (now, session["secure_id"]),
                )
                if not taken:
                    self._bind_card(session["mch_id"], session["card_id"], card_num, expiry, holder)

            self.store.transaction(work)
        if taken:
            msg = "cardId: already used (cardId must be unique per merchant)"
            redirect = append_query(session["return_url"], [("retCode", "FAIL"), ("retMsg", msg)])
            return ok({"redirectUrl": redirect, "cardId": session["card_id"]}, msg)
        redirect = append_query(session["return_url"], [("retCode", "SUCCESS")])
        return ok({"redirectUrl": redirect, "cardId": session["card_id"]})

    # ------------------------------------------------------------------ card vault

    def _card_id_free(self, mch_id: str, card_id: str) -> None:
        if self.store.db.execute(
            "SELECT 1 FROM cards WHERE mch_id = ? AND card_id = ?", (mch_id, card_id)
        ).fetchone():
            raise Fail("cardId: already used (cardId must be unique per merchant)")

    def _bind_card(
        self, mch_id: str, card_id: str, card_num: str, expiry: str, holder: str
    ) -> None:
        self.store.db.execute(
            "INSERT INTO cards (mch_id, card_id, card_num, card_type, expiry_date, holder, "
            "behaviour, bound_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                mch_id,
                card_id,
                cards.masked(card_num),
                cards.card_type_of(card_num),
                expiry,
                holder,
                cards.behaviour_of(card_num),
                self._now(),
            ),
        )

    @staticmethod
    def _card_json(row: sqlite3.Row) -> dict[str, Any]:
        return {
            "cardId": row["card_id"],
            "cardNum": row["card_num"],
            "cardType": row["card_type"],
            "expiryDate": row["expiry_date"],
            "holder": row["holder"],
        }

    def _cc_directaddcard(self, m: Merchant, p: dict[str, Any], base_url: str) -> dict[str, Any]:
        now = self._now()
        expiry = p.get("expiryDate", "")
        if expiry and cards.is_expired(expiry, self._local(now)):
            raise Fail("expiryDate: card expired")

        def work() -> None:
            self._card_id_free(m.mch_id, p["cardId"])
            self._bind_card(m.mch_id, p["cardId"], p["cardNum"], expiry, p["holder"].strip())

        self.store.transaction(work)
        return ok(self._card_json(self._card(m.mch_id, p["cardId"])))

    def _card(self, mch_id: str, card_id: str) -> sqlite3.Row:
        row: sqlite3.Row | None = self.store.db.execute(
            "SELECT * FROM cards WHERE mch_id = ? AND card_id = ?", (mch_id, card_id)
        ).fetchone()
        if row is None:
            raise Fail("cardId is not binding")
        return row

    def _cc_querycard(self, m: Merchant, p: dict[str, Any], base_url: str) -> dict[str, Any]:
        return ok(self._card_json(self._card(m.mch_id, p["cardId"])))

    # ------------------------------------------------------------------ charges

    def _charge(
        self,
        m: Merchant,
        p: dict[str, Any],
        *,
        endpoint: str,
        behaviour: cards.Behaviour,
        decline_msg: str,
        card_num: str,
        card_type: str,
        expiry: str,
        channel: str,
        card_id: str = "",
    ) -> dict[str, Any]:
        now = self._now()
        status = {"approve": 2, "pending": 0, "decline": 9}[behaviour]
        pay_order_id = ""

        def work() -> None:
            nonlocal pay_order_id
            self._order_no_free(m.mch_id, p["mchOrderNo"], "mchOrderNo")
            pay_order_id = self._new_order_id("PC", now)
            self._insert_order(
                "mchOrderNo",
                pay_order_id=pay_order_id,
                mch_id=m.mch_id,
                mch_order_no=p["mchOrderNo"],
                amount=p["amount"],
                currency=p.get("currency", "CAD"),
                pay_type="pay",
                status=0 if status == 2 else status,
                ret_msg=decline_msg if status == 9 else "",
                invoice_num=_digits(10),
                card_num=card_num,
                card_type=card_type,
                expiry_date=expiry,
                channel=channel,
                capture="" if endpoint == "cc_purchasewithwallet" else None,
                endpoint=endpoint,
                mch_user_id=p.get("mchUserId", ""),
                login_name=p["loginName"],
                card_id=card_id,
                subject=p.get("subject", ""),
                body=p.get("body", ""),
                client_ip=p.get("clientIp", ""),
                notify_url=p.get("notifyUrl", ""),
                created_at=now,
                resolve_at=now + cards.PENDING_DELAY_S if status == 0 else None,
            )
            if status == 2:
                self._succeed(pay_order_id, now)

        self.store.transaction(work)
        if status != 9:
            self.on_change()
        return ok(order_json(self._order(pay_order_id)), decline_msg if status == 9 else "")

    def _cc_purchasewithtoken(
        self, m: Merchant, p: dict[str, Any], base_url: str
    ) -> dict[str, Any]:
        card = self._card(m.mch_id, p["cardId"])
        behaviour: cards.Behaviour = card["behaviour"]
        decline_msg = "card declined"
        if card["expiry_date"] and cards.is_expired(card["expiry_date"], self._local(self._now())):
            behaviour, decline_msg = "decline", "card expired"
        return self._charge(
            m,
            p,
            endpoint="cc_purchasewithtoken",
            behaviour=behaviour,
            decline_msg=decline_msg,
            card_num=card["card_num"],
            card_type=card["card_type"],
            expiry=card["expiry_date"],
            channel="PF_CC",
            card_id=card["card_id"],
        )

    def _cc_purchasewithwallet(
        self, m: Merchant, p: dict[str, Any], base_url: str
    ) -> dict[str, Any]:
        if "walletType" not in p:
            raise Fail("walletType: is required (ApplePay or GooglePay)")
        if "walletData" not in p:
            raise Fail("walletData: is required")
        return self._charge(
            m,
            p,
            endpoint="cc_purchasewithwallet",
            behaviour=cards.wallet_behaviour(p["walletData"]),
            decline_msg="card declined",
            card_num=cards.WALLET_CARD,
            card_type="V",
            expiry="",
            channel="CC_CA" if p["walletType"] == "ApplePay" else "CC_CG",
        )

    # ------------------------------------------------------------------ refund, void, query

    def _payment(self, m: Merchant, pay_order_id: str) -> sqlite3.Row:
        row: sqlite3.Row | None = self.store.db.execute(
            "SELECT * FROM orders WHERE pay_order_id = ? AND mch_id = ?", (pay_order_id, m.mch_id)
        ).fetchone()
        if row is None:
            raise Fail("payOrderId: order not found")
        if row["pay_type"] != "pay":
            raise Fail("payOrderId: is a refund or void, not a payment")
        if row["status"] not in (2, 3):
            raise Fail("payOrderId: the payment did not succeed; there is nothing to return")
        if row["voided"]:
            raise Fail("payOrderId: the payment was voided; there is nothing to return")
        return row

    def _return_order(
        self, m: Merchant, p: dict[str, Any], pay: sqlite3.Row, amount: int, endpoint: str
    ) -> str:
        now = self._now()
        pay_order_id = self._new_order_id("RP", now)
        self._insert_order(
            "mchRefundNo",
            pay_order_id=pay_order_id,
            mch_id=m.mch_id,
            mch_order_no=p["mchRefundNo"],
            original_order_id=pay["pay_order_id"],
            amount=amount,
            currency=pay["currency"],
            pay_type="refund",
            refundable=0,
            status=2,
            invoice_num=pay["invoice_num"],
            pay_succ_time=self._fmt_time(now),
            card_num=pay["card_num"],
            card_type=pay["card_type"],
            expiry_date=pay["expiry_date"],
            auth_num=_digits(6),
            trans_num=_digits(12),
            channel=pay["channel"],
            endpoint=endpoint,
            login_name=p["loginName"],
            card_id=pay["card_id"],
            notify_url=p.get("notifyUrl", ""),
            created_at=now,
            succeeded_at=now,
        )
        self._schedule_notify(self._order(pay_order_id), now)
        return pay_order_id

    def _cc_refund(self, m: Merchant, p: dict[str, Any], base_url: str) -> dict[str, Any]:
        now = self._now()
        self._resolve_due(now)
        self._order_no_free(m.mch_id, p["mchRefundNo"], "mchRefundNo")
        pay = self._payment(m, p["payOrderId"])
        if not self._is_settled(pay, now):
            raise Fail("payOrderId: the payment is not settled yet; use void, not refund")
        amount: int = p["refundAmount"]
        if amount > pay["refundable"]:
            raise Fail(
                f"refundAmount: more than the refundable amount ({pay['refundable']} cents left)"
            )

        def work() -> str:
            rid = self._return_order(m, p, pay, amount, "cc_refund")
            self.store.db.execute(
                "UPDATE orders SET refundable = refundable - ?, settled = 1 WHERE pay_order_id = ?",
                (amount, pay["pay_order_id"]),
            )
            return rid

        rid = self.store.transaction(work)
        self.on_change()
        return ok(order_json(self._order(rid)))

    def _cc_void(self, m: Merchant, p: dict[str, Any], base_url: str) -> dict[str, Any]:
        now = self._now()
        self._resolve_due(now)
        self._order_no_free(m.mch_id, p["mchRefundNo"], "mchRefundNo")
        pay = self._payment(m, p["payOrderId"])
        if self._is_settled(pay, now):
            raise Fail("payOrderId: the payment is already settled; use refund, not void")

        def work() -> str:
            rid = self._return_order(m, p, pay, pay["amount"], "cc_void")
            self.store.db.execute(
                "UPDATE orders SET refundable = 0, voided = 1, settle_at = NULL "
                "WHERE pay_order_id = ?",
                (pay["pay_order_id"],),
            )
            return rid

        rid = self.store.transaction(work)
        self.on_change()
        return ok(order_json(self._order(rid)))

    def _cc_query(self, m: Merchant, p: dict[str, Any], base_url: str) -> dict[str, Any]:
        self._resolve_due(self._now())
        if "payOrderId" in p:
            row = self.store.db.execute(
                "SELECT * FROM orders WHERE pay_order_id = ? AND mch_id = ?",
                (p["payOrderId"], m.mch_id),
            ).fetchone()
        else:
            row = self.store.db.execute(
                "SELECT * FROM orders WHERE mch_id = ? AND mch_order_no = ?",
                (m.mch_id, p["mchOrderNo"]),
            ).fetchone()
        if row is None:
            raise Fail("order not found")
        return ok(order_json(row), row["ret_msg"])

    # ------------------------------------------------------------------ background work

    def tick(self, exclude: Collection[str] = ()) -> list[NotifyJob]:
        """Resolve pending payments, persist due settlement, claim due notifies.

        ``exclude``: orders whose notification is being delivered right now.
        """
        now = self._now()
        with self.store.lock:
            self._resolve_due(now)
            self._settle_due(now)
            return self._claim_notifies(now, exclude)

    def _claim_notifies(self, now: float, exclude: Collection[str]) -> list[NotifyJob]:
        rows = [
            r
            for r in self.store.db.execute(
                "SELECT * FROM orders WHERE notify_next_at IS NOT NULL AND notify_next_at <= ? "
                "AND notify_state = 'pending' ORDER BY notify_next_at",
                (now,),
            ).fetchall()
            if r["pay_order_id"] not in exclude
        ]
        jobs: list[NotifyJob] = []
        if not rows:
            return jobs

        def work() -> None:
            for row in rows:
                attempt = row["notify_attempts"] + 1
                # The next try is booked now; a crash mid-delivery still retries later.
                self.store.db.execute(
                    "UPDATE orders SET notify_attempts = ?, notify_next_at = ? "
                    "WHERE pay_order_id = ?",
                    (attempt, now + attempt * NOTIFY_RETRY_S, row["pay_order_id"]),
                )
                merchant = self._merchants.get(row["mch_id"])
                if merchant is None:
                    continue
                body = order_json(row)
                body["sign"] = sign(body, merchant.key)
                jobs.append(NotifyJob(row["pay_order_id"], row["notify_url"], attempt, body))

        self.store.transaction(work)
        return jobs

    def notify_done(
        self, job: NotifyJob, *, acked: bool, http_status: int | None, result: str
    ) -> None:
        now = self._now()

        def work() -> None:
            self.store.db.execute(
                "INSERT INTO notify_log (pay_order_id, attempt, at, url, http_status, result) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (job.pay_order_id, job.attempt, now, job.url, http_status, result),
            )
            if acked:
                self.store.db.execute(
                    "UPDATE orders SET notify_state = 'acknowledged', notify_next_at = NULL, "
                    "status = CASE WHEN status = 2 THEN 3 ELSE status END WHERE pay_order_id = ?",
                    (job.pay_order_id,),
                )
            elif job.attempt >= MAX_NOTIFY_ATTEMPTS:
                self.store.db.execute(
                    "UPDATE orders SET notify_state = 'gave_up', notify_next_at = NULL "
                    "WHERE pay_order_id = ?",
                    (job.pay_order_id,),
                )

        with self.store.lock:
            self.store.transaction(work)

    def next_due(self) -> float | None:
        """Sandbox time of the next background event (pending, notify, settlement)."""
        with self.store.lock:
            row = self.store.db.execute(
                "SELECT MIN(t) FROM ("
                " SELECT MIN(resolve_at) AS t FROM orders"
                "  WHERE status = 0 AND resolve_at IS NOT NULL"
                " UNION ALL SELECT MIN(notify_next_at) FROM orders"
                "  WHERE notify_next_at IS NOT NULL"
                " UNION ALL SELECT MIN(settle_at) FROM orders"
                "  WHERE settled = 0 AND settle_at IS NOT NULL"
                ")"
            ).fetchone()
        value = row[0]
        return float(value) if value is not None else None

    # ------------------------------------------------------------------ admin

    def settle(self, mch_id: str | None = None) -> int:
        """Settle every successful, unvoided, unsettled payment (of one merchant); count them."""
        now = self._now()
        with self.store.lock:
            self._resolve_due(now)
            self._settle_due(now)
            sql = (
                "UPDATE orders SET settled = 1 WHERE pay_type = 'pay' AND status IN (2, 3) "
                "AND voided = 0 AND settled = 0"
            )
            args: tuple[Any, ...] = ()
            if mch_id is not None:
                sql += " AND mch_id = ?"
                args = (mch_id,)
            cur = self.store.db.execute(sql, args)
            return cur.rowcount

    def orders(self, mch_id: str | None = None) -> list[dict[str, Any]]:
        """Every order with sandbox-only detail: settled, voided, notify attempts."""
        now = self._now()
        with self.store.lock:
            self._resolve_due(now)
            if mch_id is None:
                rows = self.store.db.execute("SELECT * FROM orders ORDER BY seq").fetchall()
            else:
                rows = self.store.db.execute(
                    "SELECT * FROM orders WHERE mch_id = ? ORDER BY seq", (mch_id,)
                ).fetchall()
            logs: dict[str, list[dict[str, Any]]] = {}
            for r in self.store.db.execute("SELECT * FROM notify_log ORDER BY id"):
                logs.setdefault(r["pay_order_id"], []).append(
                    {
                        "attempt": r["attempt"],
                        "at": self._fmt_time(r["at"]),
                        "httpStatus": r["http_status"],
                        "result": r["result"],
                    }
                )
        out = []
        for r in rows:
            d = order_json(r)
            d["retMsg"] = r["ret_msg"]
            d["endpoint"] = r["endpoint"]
            d["settled"] = r["pay_type"] == "pay" and self._is_settled(r, now) and not r["voided"]
            d["voided"] = bool(r["voided"])
            d["notify"] = {
                "url": r["notify_url"],
                "state": r["notify_state"],
                "attempts": r["notify_attempts"],
                "log": logs.get(r["pay_order_id"], []),
            }
            out.append(d)
        return out

    def reset(self) -> None:
        """Forget every order, card and page (merchants stay)."""

        def work() -> None:
            for table in ("orders", "cards", "sessions", "notify_log"):
                self.store.db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names

        self.store.transaction(work)
