"""``iotpay-desk notify-receiver --profile ID``: serve IOTPay's notify for one profile.

The merchant key comes from the OS keychain, as for the desk; notifications go to the
profile's ledger, the one its desks use (this computer's file for the merchant, or the
shared PostgreSQL server), so every desk sees them. Prints one line ``IOTPay notify
receiver listening on URL`` once ready and serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import socket
import sys

import uvicorn

from iotpay_desk.asgi import Uvicorn, bind, loop_factory
from iotpay_desk.core.credentials import CredentialStore, KeychainError
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.core.profiles import ProfileNotFound, ProfileStore, ProfileStoreError
from iotpay_desk.core.settings import DESK_NAME, Settings
from iotpay_desk.journal import DeskIdentity, JournalError
from iotpay_desk.ledger import LedgerError
from iotpay_desk.ledger.place import profile_ledger_opener

from .receiver import DEFAULT_PATH, build_app

__all__ = ["main"]

PROG = "iotpay-desk notify-receiver"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.add_argument("--profile", required=True, help="the merchant profile's id or name")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8080, help="port (0: any free one)")
    p.add_argument("--path", default=DEFAULT_PATH, help=f"URL path (default {DEFAULT_PATH})")
    return p


async def _serve(server: Uvicorn, sock: socket.socket, url: str) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(sig, server.request_exit)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not serving.done():
        await asyncio.wait({serving}, timeout=0.01)
    if server.started:
        print(f"IOTPay notify receiver listening on {url}", flush=True)
    await serving


def main(argv: list[str], paths: AppPaths | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = paths or AppPaths.default()
    credentials = CredentialStore()
    store = ProfileStore(paths.config_dir, credentials, paths.data_dir)
    try:
        store.load()
        try:
            profile = store.get(args.profile)
        except ProfileNotFound:
            found = store.find_by_name(args.profile)
            if found is None:
                raise
            profile = found
        key = credentials.get_key(profile.id)
    except ProfileNotFound:
        print(f"{PROG}: no profile {args.profile!r}", file=sys.stderr)
        return 2
    except (ProfileStoreError, KeychainError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    if not key:
        print(f"{PROG}: the keychain holds no merchant key for {profile.name!r}", file=sys.stderr)
        return 1
    settings = Settings(paths.config_dir)
    try:
        opener = profile_ledger_opener(
            profile,
            paths=paths,
            credentials=credentials,
            desk=DeskIdentity.here(settings.get(DESK_NAME)),
            profiles=store.profiles(),
        )
        journal = opener()
    except (JournalError, LedgerError, KeychainError) as exc:
        print(f"{PROG}: the ledger did not open: {exc}", file=sys.stderr)
        return 1
    try:
        try:
            app = build_app(profile.mch_id, key, journal, path=args.path)
        except ValueError as exc:
            print(f"{PROG}: {exc}", file=sys.stderr)
            return 2
        try:
            sock, url = bind(args.host, args.port)
        except OSError as exc:
            print(f"{PROG}: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
            return 1
        config = uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="off",
            proxy_headers=False,
            server_header=False,
            ws="none",
            loop="none",
        )
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            runner.run(_serve(Uvicorn(config), sock, url + args.path))
        return 0
    finally:
        journal.close()
