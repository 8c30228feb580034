"""Entry point: ``iotpay-desk [--sandbox] ...`` opens the desk; ``iotpay-desk sandbox ...``
runs the local IOTPay V3 sandbox server; ``iotpay-desk notify-receiver ...`` receives
IOTPay's notify for a profile; ``iotpay-desk ledger check --sqlite PATH`` migrates a
ledger file and prints its revision, ``iotpay-desk ledger copy --from … --to …`` copies a
desk's ledger into another (a shared PostgreSQL one). ``python -m iotpay_desk`` does the
same."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "sandbox":
        from iotpay_desk.sandbox.cli import main as sandbox_main

        return sandbox_main(args[1:])
    if args and args[0] == "notify-receiver":
        from iotpay_desk.notify.cli import main as notify_main

        return notify_main(args[1:])
    if args and args[0] == "ledger":
        from iotpay_desk.ledger.cli import main as ledger_main

        return ledger_main(args[1:])
    from iotpay_desk.app import main as app_main

    return app_main(args)


if __name__ == "__main__":
    sys.exit(main())
