"""The QR code of a payment link: the pixels carry exactly segno's modules."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from iotpay_desk.gui.qr import QUIET_ZONE, qr_image, qr_matrix, qr_pixmap

LINK = "http://127.0.0.1:8765/cc/purchase?key=" + "ab" * 32


@pytest.mark.parametrize("module_px", [1, 3, 6])
def test_every_module_is_drawn_where_it_belongs(qapp: QApplication, module_px: int) -> None:
    matrix = qr_matrix(LINK)
    image = qr_image(LINK, module_px)
    side = (len(matrix) + 2 * QUIET_ZONE) * module_px
    assert (image.width(), image.height()) == (side, side)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            x = (c + QUIET_ZONE) * module_px + module_px // 2
            y = (r + QUIET_ZONE) * module_px + module_px // 2
            lightness = image.pixelColor(x, y).lightness()
            assert (lightness < 128) == dark, (r, c)
    # The quiet zone is white.
    assert image.pixelColor(0, 0).lightness() == 255
    assert image.pixelColor(side - 1, side // 2).lightness() == 255


def test_different_links_give_different_codes(qapp: QApplication) -> None:
    assert qr_matrix(LINK) != qr_matrix(LINK.replace("ab", "cd"))
    # A QR code has its three finder patterns: dark 7×7 squares in three corners.
    m = qr_matrix(LINK)
    n = len(m)
    for r0, c0 in ((0, 0), (0, n - 7), (n - 7, 0)):
        assert all(m[r0][c0 + i] and m[r0 + 6][c0 + i] for i in range(7))


def test_pixmap_is_sharp_on_high_dpi(qapp: QApplication) -> None:
    plain = qr_pixmap(LINK, 4)
    sharp = qr_pixmap(LINK, 4, device_pixel_ratio=2.0)
    assert sharp.width() == 2 * plain.width()
    assert sharp.devicePixelRatio() == 2.0
    assert sharp.deviceIndependentSize().width() == plain.width()


def test_bad_scale_is_refused(qapp: QApplication) -> None:
    with pytest.raises(ValueError, match="module_px"):
        qr_image(LINK, 0)
