"""Start the desk: QApplication, the qasync loop, the main window."""

from __future__ import annotations

import argparse
import sys


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="iotpay-desk", description="IOTPay back-office desk")
    p.add_argument("--sandbox", action="store_true",
                   help="start the local IOTPay sandbox in-process and open the desk on it")
    p.add_argument("--smoke", action="store_true",
                   help="start, show the main window, print 'iotpay-desk ready' and exit 0")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    win = QMainWindow()
    win.setWindowTitle(app.translate("app", "IOTPay Desk"))
    win.show()
    if args.smoke:
        def done() -> None:
            print("iotpay-desk ready", flush=True)
            app.quit()
        QTimer.singleShot(0, done)
    return app.exec()
