"""The card vault: cards bound at IOTPay, kept in the profile's journal file.

Adding a card (issue 5):

- On IOTPay's hosted page: :meth:`CardService.start_add_card` calls ``cc_addcard`` and
  gives the page's address; nothing is saved yet. The page comes back to the desk's
  return URL (:mod:`.returns`) with an unsigned hint; :meth:`CardService.finish_add_card`
  confirms with ``cc_querycard`` and saves the card only if IOTPay has it bound.
  :meth:`CardService.cancel_add_card` (the page was closed) asks IOTPay too: a card
  bound just before the page was closed is saved, not lost. Each page is written in the
  journal before it is shown and ended there once the desk knows; a page left open (no
  card yet, a submission perhaps still in flight; the desk closed; IOTPay unreachable)
  is checked by :meth:`CardService.resolve_open_pages` at the next start.
- Typed in the desk (``cc_directaddcard``): only when the profile turned it on after
  the PCI DSS confirmation. The card number, expiry and CVV go to IOTPay and nowhere
  else: not to the journal, a log, an exception message or this object. The vault keeps
  the masked number IOTPay answers with.

IOTPay V3 has no call to unbind a card: :meth:`CardService.remove_card` takes it out of
the vault only, and the audit trail says it stays bound at IOTPay.

Threading: every method is a coroutine for the one asyncio loop; journal work runs in
``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import logging
import re
import secrets
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import urlsplit

from iotpay_desk.api import (
    AddCardRequest,
    CannotConnect,
    Card,
    DirectAddCardRequest,
    InvalidRequest,
    IotPayRejected,
    OutcomeUnknown,
    QueryCardRequest,
    rules,
)
from iotpay_desk.api.rules import RuleCode
from iotpay_desk.journal import (
    CardInVault,
    CardNotInVault,
    ExpiryState,
    Ledger,
    VaultCard,
    expiry_state,
)

from .errors import (
    CannotReachIotPay,
    CardNotAdded,
    CardNotBound,
    DirectAddDisabled,
    InvalidInput,
    RefusedByIotPay,
    UnknownCard,
)
from .returns import ReturnHint, hint_from_params, parse_return_url, return_url_for
from .rules import TORONTO
from .threads import ThreadCalls

if TYPE_CHECKING:
    from iotpay_desk.api.client import IotPayClient

__all__ = [
    "LABEL_MAX",
    "VAULT_PAGE",
    "AddCardSession",
    "CardService",
    "ExpiryState",
    "VaultCard",
    "check_card_id",
    "check_label",
]

log = logging.getLogger(__name__)

LABEL_MAX = 64
VAULT_PAGE = 200
"""Cards the Card vault page shows at most (its list, or a search's first matches)."""
# How long IOTPay's add-card page accepts a card (its secureId's life). A page not
# bound after this can no longer bind: only then is it ended as "not added".
PAGE_LIFETIME = timedelta(hours=1)
_CARD_ID_CHARS = re.compile(r"[A-Za-z0-9._-]+")
_DIGIT_RUN = re.compile(r"[0-9]{12,}")
_RANDOM_CHARS = 8
# "<field>: <rule>" as IOTPay (and the sandbox) word a refused field.
_FIELD_MESSAGE = re.compile(r"\s*(cardId|cardNum|expiryDate|cvv|holder)\s*:\s*(.+)", re.S)

_P = ParamSpec("_P")
_T = TypeVar("_T")


def _tracked(
    method: Callable[Concatenate[CardService, _P], Coroutine[Any, Any, _T]],
) -> Callable[Concatenate[CardService, _P], Coroutine[Any, Any, _T]]:
    """Count the call as work in flight until it returns (see :meth:`CardService.wait_idle`)."""

    async def run(self: CardService, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        self._working += 1
        self._idle.clear()
        try:
            return await method(self, *args, **kwargs)
        finally:
            self._working -= 1
            if not self._working:
                self._idle.set()

    functools.update_wrapper(run, method)
    return run


def _utcnow() -> datetime:
    return datetime.now(UTC)


def looks_like_card_number(text: str) -> bool:
    """True when ``text`` holds 12 to 19 digits in a row (spaces and dashes between them
    ignored) that pass the Luhn check."""
    compact = text.replace(" ", "").replace("-", "")
    return any(12 <= len(run) <= 19 and rules.luhn_ok(run) for run in _DIGIT_RUN.findall(compact))


def check_card_id(text: str) -> str:
    """A cardId typed by the operator, stripped; raises :class:`InvalidInput` naming
    ``cardId``. Letters, digits, ``.``, ``_`` and ``-``, at most 30 characters, and not
    a card number typed in the wrong box (:func:`looks_like_card_number`)."""
    if not isinstance(text, str):
        raise InvalidInput("cardId", RuleCode.TEXT)
    card_id = text.strip()
    if not card_id:
        raise InvalidInput("cardId", RuleCode.REQUIRED)
    problem = rules.id30(card_id)
    if problem:
        raise InvalidInput("cardId", problem)
    if not _CARD_ID_CHARS.fullmatch(card_id):
        raise InvalidInput("cardId", RuleCode.CARD_ID_CHARS)
    if looks_like_card_number(card_id):
        # A card number typed in the wrong box must not become an id sent everywhere.
        raise InvalidInput("cardId", RuleCode.LOOKS_LIKE_CARD)
    return card_id


def check_label(text: str) -> str:
    """The customer label of a card, stripped; raises :class:`InvalidInput` naming
    ``customerLabel``."""
    if not isinstance(text, str):
        raise InvalidInput("customerLabel", RuleCode.TEXT)
    label = " ".join(text.split())
    if not label:
        raise InvalidInput("customerLabel", RuleCode.REQUIRED)
    problem = rules.text(LABEL_MAX)(label)
    if problem:
        raise InvalidInput("customerLabel", problem)
    if looks_like_card_number(label):
        raise InvalidInput("customerLabel", RuleCode.LOOKS_LIKE_CARD)
    return label


@dataclass(frozen=True, slots=True)
class AddCardSession:
    """One hosted add-card page: open ``redirect_url``; it comes back to ``return_url``.

    ``secure_id`` is the page's one-hour key: it and ``redirect_url`` (which carries it)
    stay out of ``repr``; neither is journaled.
    """

    session_id: str
    card_id: str
    customer_label: str
    redirect_url: str = field(repr=False)
    return_url: str
    started_at: datetime
    secure_id: str = field(default="", repr=False)


def _field_error(ret_msg: str) -> InvalidInput | None:
    m = _FIELD_MESSAGE.fullmatch(ret_msg)
    return InvalidInput(m.group(1), m.group(2).strip()) if m else None


class CardService:
    """The card vault of one merchant profile, used by one operator.

    ``direct_add_enabled`` is the profile's switch (on only after the PCI DSS
    confirmation); ``clock`` gives aware datetimes; ``tz`` is the day boundary used for
    expiry (the profile's time zone).
    """

    def __init__(
        self,
        client: IotPayClient,
        journal: Ledger,
        *,
        operator: str,
        direct_add_enabled: bool = False,
        clock: Callable[[], datetime] = _utcnow,
        tz: tzinfo = TORONTO,
    ) -> None:
        problem = rules.text(12)(operator)
        if problem:
            raise InvalidInput("operator", problem)
        self._client = client
        self._journal = journal
        self.operator = operator
        self.mch_id = client.mch_id
        self.direct_add_enabled = bool(direct_add_enabled)
        self._clock = clock
        self.tz = tz
        self._sessions: dict[str, AddCardSession] = {}
        self._working = 0
        self._threads = ThreadCalls()
        self._idle = asyncio.Event()
        self._idle.set()

    def __repr__(self) -> str:
        return f"CardService(mch_id={self.mch_id!r}, operator={self.operator!r})"

    @property
    def busy(self) -> bool:
        """True while a call of this service is in flight."""
        return self._working > 0

    async def wait_idle(self) -> None:
        """Wait until no call of this service is in flight (before its journal is closed,
        e.g. when the desk switches profiles). Never cancels one."""
        while self._working:
            await self._idle.wait()
        await self._threads.idle()  # and no journal work left running by a caller gone

    async def _db(self, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        return await self._threads.run(fn, *args, **kwargs)

    def today(self) -> date:
        """Today in the profile's time zone (for expiry warnings)."""
        return self._clock().astimezone(self.tz).date()

    # ------------------------------------------------------------------ ids

    @_tracked
    async def new_card_id(self) -> str:
        """A new cardId, not in the vault: ``C``, the UTC date ``yyMMdd``, ``T``, the time
        ``HHmmss``, 8 random base32 characters (22 characters; ``C240101T2150098K3QZ7W2``).
        The ``T`` keeps the digits from reading as a card number."""
        while True:
            when = self._clock().astimezone(UTC)
            rand = base64.b32encode(secrets.token_bytes(5)).decode("ascii")[:_RANDOM_CHARS]
            card_id = f"C{when:%y%m%d}T{when:%H%M%S}{rand}"
            if looks_like_card_number(card_id):  # random digits after the time, rarely
                continue
            known = await self._db(
                self._journal.get_vault_card, self.mch_id, card_id, include_removed=True
            )
            if known is None:
                return card_id

    @_tracked
    async def validate_card_id(self, text: str) -> str:
        """A typed cardId, checked (:func:`check_card_id`) and not in the vault (a card
        removed from the vault stays bound at IOTPay, so its cardId is taken too)."""
        card_id = check_card_id(text)
        known = await self._db(
            self._journal.get_vault_card, self.mch_id, card_id, include_removed=True
        )
        if known is not None:
            raise InvalidInput("cardId", RuleCode.IN_VAULT)
        return card_id

    # ------------------------------------------------------------------ hosted add

    @_tracked
    async def start_add_card(
        self, customer_label: str, card_id: str | None = None
    ) -> AddCardSession:
        """Ask IOTPay for an add-card page (``cc_addcard``). Nothing is saved yet."""
        label = check_label(customer_label)
        card_id = await self.validate_card_id(card_id) if card_id else await self.new_card_id()
        session_id = secrets.token_hex(12)
        return_url = return_url_for("addcard", session_id)
        req = AddCardRequest(card_id=card_id, login_name=self.operator, return_url=return_url)
        try:
            redirect = await self._client.add_card(req)
        except InvalidRequest as exc:
            raise InvalidInput(exc.field, exc.rule) from None
        except IotPayRejected as exc:
            raise _field_error(exc.ret_msg) or RefusedByIotPay(exc.ret_msg) from None
        except (CannotConnect, OutcomeUnknown) as exc:
            # cc_addcard binds nothing by itself: asking again is safe.
            raise CannotReachIotPay(exc.reason) from None
        page = urlsplit(redirect.redirect_url)
        if page.scheme not in ("http", "https") or not page.hostname:
            raise RefusedByIotPay("the answer had no usable page address")
        session = AddCardSession(
            session_id=session_id,
            card_id=card_id,
            customer_label=label,
            redirect_url=redirect.redirect_url,
            return_url=return_url,
            started_at=self._clock(),
            secure_id=redirect.secure_id,
        )
        await self._db(
            self._journal.open_card_page,
            mch_id=self.mch_id,
            session_id=session_id,
            card_id=card_id,
            customer_label=label,
            operator=self.operator,
            now=self._clock(),
        )
        self._sessions[session_id] = session
        return session

    def _hint(
        self, session: AddCardSession, given: str | Mapping[str, str] | None
    ) -> ReturnHint | None:
        if given is None:
            return None
        if isinstance(given, str):
            hint = parse_return_url(given)
            if hint is None:
                raise CardNotAdded("the page came back to an unexpected address", session.card_id)
        else:
            hint = hint_from_params("addcard", session.session_id, given)
        if hint.kind != "addcard" or hint.session_id != session.session_id:
            raise CardNotAdded("the page came back for another card", session.card_id)
        return hint

    @_tracked
    async def finish_add_card(
        self,
        session: AddCardSession,
        return_url_or_params: str | Mapping[str, str] | None = None,
    ) -> VaultCard:
        """Confirm a hosted add with ``cc_querycard``; save the card only if it is bound.

        ``return_url_or_params``: the return URL the page came back to, its parameters,
        or None (no hint: just ask IOTPay). A failure hint or a card IOTPay does not have
        raises :class:`CardNotAdded` (nothing saved; start again). When IOTPay cannot be
        reached, :class:`CannotReachIotPay`: finishing again later is safe.
        """
        done = await self._db(self._journal.get_vault_card, self.mch_id, session.card_id)
        if done is not None and session.session_id not in self._sessions:
            return done  # finished before
        hint = self._hint(session, return_url_or_params)
        if hint is not None and hint.says_failed:
            await self._not_added(session, hint.ret_msg or "the page reported a failure")
        try:
            card = await self._client.query_card(QueryCardRequest(card_id=session.card_id))
        except IotPayRejected as exc:
            if exc.is_not_found:
                await self._not_added(session, exc.ret_msg)
            raise RefusedByIotPay(exc.ret_msg) from None
        except (CannotConnect, OutcomeUnknown) as exc:
            raise CannotReachIotPay(exc.reason) from None
        saved = await self._save_page_card(
            card,
            session.session_id,
            session.customer_label,
            {"hint": hint.ret_code if hint else ""},
        )
        self._sessions.pop(session.session_id, None)
        return saved

    async def _save_page_card(
        self, card: Card, session_id: str, label: str, detail: Mapping[str, object]
    ) -> VaultCard:
        """Save a card an add-card page bound, then end the page as added."""
        try:
            saved = await self._save(card, label, "hosted", {"session_id": session_id, **detail})
        except CardInVault as exc:
            saved = exc.card  # saved meanwhile by another call
        await self._end_page(session_id, "added")
        return saved

    async def _end_page(
        self, session_id: str, outcome: str, event: str | None = None, why: str = ""
    ) -> None:
        await self._db(
            self._journal.end_card_page,
            session_id,
            outcome,
            operator=self.operator,
            event=event,
            detail={"why": why} if why else None,
            now=self._clock(),
        )

    async def _not_added(self, session: AddCardSession, why: str) -> None:
        self._sessions.pop(session.session_id, None)
        await self._end_page(session.session_id, "not_added", "card_add_failed", why)
        raise CardNotAdded(why, session.card_id)

    @_tracked
    async def cancel_add_card(self, session: AddCardSession) -> VaultCard | None:
        """The page was closed before it came back to the desk: ask IOTPay.

        The customer may have submitted the card just before the page was closed: a card
        IOTPay has bound is saved and returned, never lost. None: IOTPay has no card on
        the cardId now, nothing is saved (audit ``card_add_cancelled``); the page stays
        open in the journal until IOTPay's page lifetime has passed, so a submission that
        was still in flight is found by :meth:`resolve_open_pages` at the next start.
        When IOTPay cannot be asked, :class:`CannotReachIotPay` (likewise checked later).
        """
        self._sessions.pop(session.session_id, None)
        await self._db(
            self._journal.close_card_page,
            session.session_id,
            operator=self.operator,
            now=self._clock(),
        )
        try:
            card = await self._bound_card(session.card_id)
        except CardNotBound:
            return None
        return await self._save_page_card(
            card, session.session_id, session.customer_label, {"bound_before_close": True}
        )

    @_tracked
    async def resolve_open_pages(self) -> list[VaultCard]:
        """Settle add-card pages left open (the desk closed, IOTPay unreachable, or the
        page closed on screen with a submission perhaps in flight): a card IOTPay bound is
        saved; a page past :data:`PAGE_LIFETIME` with no card is ended (cancelled if it
        was closed on screen, else not added); a younger one is left for later (it could
        still bind). Pages on screen now are left alone.

        Returns the cards saved. :class:`CannotReachIotPay` stops at the first page
        IOTPay could not be asked about (the rest wait for the next time).
        """
        pages = await self._db(self._journal.open_card_pages, self.mch_id)
        found: list[VaultCard] = []
        for page in pages:
            if page.session_id in self._sessions:
                continue
            try:
                card = await self._bound_card(page.card_id)
            except CardNotBound:
                if self._clock() - page.started_at < PAGE_LIFETIME:
                    continue  # it could still bind
                if page.closed_at is not None:
                    await self._end_page(page.session_id, "cancelled")  # audited when closed
                else:
                    await self._end_page(
                        page.session_id,
                        "not_added",
                        "card_add_failed",
                        "the page was left before IOTPay bound a card",
                    )
                continue
            found.append(
                await self._save_page_card(
                    card, page.session_id, page.customer_label, {"found_at_start": True}
                )
            )
            log.info("card %s, bound on a page left open, is now in the vault", page.card_id)
        return found

    def open_sessions(self) -> list[AddCardSession]:
        """Add-card pages started and not finished or cancelled yet."""
        return list(self._sessions.values())

    async def _save(
        self, card: Card, label: str, via: str, detail: Mapping[str, object]
    ) -> VaultCard:
        return await self._db(
            self._journal.add_vault_card,
            mch_id=self.mch_id,
            card_id=card.card_id,
            customer_label=label,
            card_num=card.card_num,
            brand=card.brand,
            expiry_date=card.expiry_date,
            holder=card.holder,
            via=via,
            operator=self.operator,
            detail=dict(detail),
            now=self._clock(),
        )

    # ------------------------------------------------------------------ direct add

    @_tracked
    async def direct_add_card(
        self,
        customer_label: str,
        card_num: str,
        expiry_mmyy: str,
        cvv: str,
        holder: str,
        card_id: str | None = None,
    ) -> VaultCard:
        """Bind typed card data with ``cc_directaddcard`` (PCI DSS merchants only).

        Raises :class:`DirectAddDisabled` unless the profile turned it on. Errors name
        the field (``cardNum``, ``expiryDate``, ``cvv``, ``holder``, ``cardId``,
        ``customerLabel``) and never repeat a value. Only IOTPay's masked answer is kept.
        """
        if not self.direct_add_enabled:
            raise DirectAddDisabled
        label = check_label(customer_label)
        req = self._direct_request(
            await self.validate_card_id(card_id) if card_id else await self.new_card_id(),
            card_num,
            expiry_mmyy,
            cvv,
            holder,
        )
        card_id = req.card_id
        try:
            card = await self._client.direct_add_card(req)
        except InvalidRequest as exc:
            raise InvalidInput(exc.field, exc.rule) from None
        except IotPayRejected as exc:
            raise _field_error(exc.ret_msg) or RefusedByIotPay(exc.ret_msg) from None
        except CannotConnect as exc:
            raise CannotReachIotPay(exc.reason) from None
        except OutcomeUnknown as exc:
            # The card may have been bound: ask, never send the card data again.
            card = await self._bound_after_lost_answer(card_id, exc.reason)
        finally:
            del req  # the only reference to the card data this object held
        if card.card_id != card_id:
            card = Card(card_id, card.card_num, card.expiry_date, card.holder)
        return await self._save(card, label, "direct", {})

    def _direct_request(
        self, card_id: str, card_num: str, expiry_mmyy: str, cvv: str, holder: str
    ) -> DirectAddCardRequest:
        number = "".join(card_num.split()).replace("-", "") if isinstance(card_num, str) else ""
        problem = rules.card_number(number)
        if problem:
            raise InvalidInput("cardNum", problem)
        expiry = expiry_mmyy.strip().replace("/", "") if isinstance(expiry_mmyy, str) else ""
        if expiry:
            problem = rules.mmyy(expiry)
            if problem:
                raise InvalidInput("expiryDate", problem)
            if expiry_state(expiry, self.today()) is ExpiryState.EXPIRED:
                raise InvalidInput("expiryDate", RuleCode.CARD_EXPIRED)
        code = cvv.strip() if isinstance(cvv, str) else ""
        problem = rules.cvv(code)
        if problem:
            raise InvalidInput("cvv", problem)
        name = " ".join(holder.split()) if isinstance(holder, str) else ""
        problem = rules.text(64)(name)
        if problem:
            raise InvalidInput("holder", problem)
        return DirectAddCardRequest(
            card_id=card_id,
            card_num=number,
            holder=name,
            cvv=code,
            login_name=self.operator,
            expiry_date=expiry or None,
        )

    async def _bound_after_lost_answer(self, card_id: str, reason: str) -> Card:
        try:
            return await self._client.query_card(QueryCardRequest(card_id=card_id))
        except IotPayRejected as exc:
            if exc.is_not_found:
                raise CannotReachIotPay(f"{reason}; the card was not added, try again") from None
            raise RefusedByIotPay(exc.ret_msg) from None
        except (CannotConnect, OutcomeUnknown) as exc:
            raise CannotReachIotPay(
                f"{reason}; whether the card {card_id} was added is not known: "
                f"refresh it later ({exc.reason})"
            ) from None

    # ------------------------------------------------------------------ the vault

    @_tracked
    async def list_cards(self, search: str = "", *, limit: int | None = None) -> list[VaultCard]:
        """The vault's cards by customer label; ``search`` words match the label, the
        cardId, the holder, the last four digits or the brand. ``limit``: the first so
        many only (the Card vault page asks for :data:`VAULT_PAGE` and one more, to know
        whether there are more)."""
        return await self._db(self._journal.list_vault_cards, self.mch_id, search, limit=limit)

    @_tracked
    async def labels_of(self, card_ids: Iterable[str]) -> dict[str, str]:
        """The customer labels of these cards (cardId → label; cards not in the vault
        left out): one indexed look-up each, not the whole vault."""
        wanted = list(card_ids)
        if not wanted:
            return {}
        return await self._db(self._journal.vault_labels, self.mch_id, wanted)

    @_tracked
    async def get_card(self, card_id: str) -> VaultCard:
        card = await self._db(self._journal.get_vault_card, self.mch_id, card_id)
        if card is None:
            raise UnknownCard(card_id)
        return card

    async def _bound_card(self, card_id: str) -> Card:
        """``cc_querycard``: :class:`CardNotBound` when IOTPay has no card on ``card_id``."""
        try:
            return await self._client.query_card(QueryCardRequest(card_id=card_id))
        except IotPayRejected as exc:
            if exc.is_not_found:
                raise CardNotBound(card_id, exc.ret_msg) from None
            raise RefusedByIotPay(exc.ret_msg) from None
        except (CannotConnect, OutcomeUnknown) as exc:
            raise CannotReachIotPay(exc.reason) from None

    @_tracked
    async def refresh_card(self, card_id: str) -> VaultCard:
        """Update a vault card from ``cc_querycard``. :class:`CardNotBound` if IOTPay no
        longer has it (the vault keeps it until removed)."""
        await self.get_card(card_id)
        card = await self._bound_card(card_id)
        try:
            return await self._db(
                self._journal.update_vault_card,
                self.mch_id,
                card_id,
                operator=self.operator,
                card_num=card.card_num,
                brand=card.brand,
                expiry_date=card.expiry_date,
                holder=card.holder,
                refreshed=True,
                now=self._clock(),
            )
        except CardNotInVault:
            raise UnknownCard(card_id) from None

    @_tracked
    async def rename_card(self, card_id: str, customer_label: str) -> VaultCard:
        """Give a vault card another customer label."""
        label = check_label(customer_label)
        try:
            return await self._db(
                self._journal.update_vault_card,
                self.mch_id,
                card_id,
                operator=self.operator,
                customer_label=label,
                now=self._clock(),
            )
        except CardNotInVault:
            raise UnknownCard(card_id) from None

    @_tracked
    async def import_card(self, customer_label: str, card_id: str) -> VaultCard:
        """Take a card already bound at IOTPay into the vault (one added on another
        computer, or one removed from this vault by mistake), after ``cc_querycard``."""
        label = check_label(customer_label)
        card_id = check_card_id(card_id)
        card = await self._bound_card(card_id)
        try:
            return await self._save(card, label, "imported", {})
        except CardInVault:
            raise InvalidInput("cardId", RuleCode.IN_VAULT) from None

    @_tracked
    async def remove_card(self, card_id: str) -> VaultCard:
        """Take a card out of the vault. It stays bound at IOTPay (V3 has no unbind call)."""
        try:
            return await self._db(
                self._journal.remove_vault_card,
                self.mch_id,
                card_id,
                operator=self.operator,
                detail={"still_bound_at_iotpay": True},
                now=self._clock(),
            )
        except CardNotInVault:
            raise UnknownCard(card_id) from None
