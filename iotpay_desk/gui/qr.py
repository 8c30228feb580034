"""QR codes for payment links, drawn by segno and shown as a QPixmap."""

from __future__ import annotations

import io

import segno
from PySide6.QtGui import QImage, QPixmap

__all__ = ["QUIET_ZONE", "qr_image", "qr_matrix", "qr_pixmap"]

#: Modules of white around the code (the standard asks for 4).
QUIET_ZONE = 4


def qr_matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """The code's modules, row by row (True is dark), without the quiet zone."""
    code = segno.make_qr(text, error="m")
    return tuple(tuple(bool(cell) for cell in row) for row in code.matrix)


def qr_image(text: str, module_px: int) -> QImage:
    """``text`` as a QR code (error correction M), ``module_px`` pixels per module, with
    the quiet zone; black on white whatever the theme, so every phone reads it."""
    if module_px < 1:
        raise ValueError("module_px must be at least 1")
    code = segno.make_qr(text, error="m")
    buf = io.BytesIO()
    code.save(buf, kind="png", scale=module_px, border=QUIET_ZONE, dark="#000", light="#fff")
    image = QImage()
    if not image.loadFromData(buf.getvalue(), "PNG"):
        raise RuntimeError("the QR code could not be decoded as PNG")
    return image


def qr_pixmap(text: str, module_px: int, device_pixel_ratio: float = 1.0) -> QPixmap:
    """:func:`qr_image` as a pixmap, sharp on a high-DPI screen: ``module_px`` is in
    device-independent pixels."""
    ratio = max(1.0, device_pixel_ratio)
    image = qr_image(text, max(1, round(module_px * ratio)))
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap
