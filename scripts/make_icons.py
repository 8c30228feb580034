#!/usr/bin/env python3
"""The desk's icon for the Windows and macOS builds, drawn from
``resources/icons/iotpay-desk.svg`` with Qt's own image writers:

    uv run python scripts/make_icons.py build/icons

writes ``iotpay-desk.ico`` (256 px, for the program and the NSIS installer) and
``iotpay-desk.icns`` (512 px, for the .app). ``pyinstaller.spec`` takes the one its
platform needs from ``DESK_ICON``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_deb  # the same drawing of the icon as the Debian package's


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("build/icons")
    out.mkdir(parents=True, exist_ok=True)
    for name, size in (("iotpay-desk.ico", 256), ("iotpay-desk.icns", 512)):
        if not build_deb.render_icon(size).save(str(out / name)):
            print(f"could not write {name} (no Qt image writer for it)", file=sys.stderr)
            return 1
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
