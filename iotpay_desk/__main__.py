"""Entry point: ``iotpay-desk [--sandbox] ...`` opens the desk; ``iotpay-desk sandbox ...``
runs the local IOTPay V3 sandbox server; ``iotpay-desk notify-receiver ...`` receives
IOTPay's notify for a profile; ``iotpay-desk ledger check --sqlite PATH`` migrates a
ledger file and prints its revision, ``iotpay-desk ledger copy --from … --to …`` copies a
desk's ledger into another (a shared PostgreSQL one); ``iotpay-desk --version`` prints what
Help ▸ About shows (version, build, Qt and Python, where the data and logs are).
``python -m iotpay_desk`` does the same."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    subcommand = bool(args) and args[0] in ("sandbox", "notify-receiver", "ledger")
    if not subcommand and ("--version" in args or "-V" in args):
        return print_version()
    if args and args[0] == "sandbox":
        from iotpay_desk.sandbox.cli import main as sandbox_main

        return sandbox_main(args[1:])
    if args and args[0] == "notify-receiver":
        from iotpay_desk.notify.cli import main as notify_main

        return notify_main(args[1:])
    if args and args[0] == "ledger":
        from iotpay_desk.ledger.cli import main as ledger_main

        return ledger_main(args[1:])
    from iotpay_desk.start import main as start_main

    return start_main(args)


def print_version() -> int:
    import PySide6
    from PySide6.QtCore import qVersion

    from iotpay_desk.core.about import about

    for line in about(qVersion(), PySide6.__version__).lines():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
