"""A shown pool's ratings as a small PNG: one horizontal bar per rating question on a 1–5 scale,
drawn with Pillow, the same picture in the Markdown, the .docx and the PDF. Text in the image
is ASCII only (``Q1``, ``4.25``), so no CJK font file is needed; the document's table says which
question each ``Q`` is."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

WIDTH = 560
ROW = 26
_LEFT, _RIGHT, _TOP, _BOTTOM = 40, 56, 10, 22
_BAR = "#2f6fde"
_TRACK = "#eef1f5"
_AXIS = "#666666"


def bars(values: Sequence[float]) -> bytes:
    """PNG bytes: bar ``i`` labelled ``Q{i+1}`` with its value (1–5, clipped), ticks at 1..5."""
    height = _TOP + _BOTTOM + ROW * max(len(values), 1)
    from PIL import Image, ImageDraw  # loaded on the first chart, not at start

    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    plot_w = WIDTH - _LEFT - _RIGHT

    def x_of(value: float) -> float:
        return _LEFT + plot_w * (min(max(value, 0.0), 5.0) / 5)

    for tick in range(1, 6):
        x = x_of(tick)
        draw.line([(x, _TOP), (x, height - _BOTTOM)], fill=_TRACK)
        draw.text((x - 3, height - _BOTTOM + 4), str(tick), fill=_AXIS)
    for index, value in enumerate(values):
        top = _TOP + index * ROW + 4
        draw.text((6, top + 2), f"Q{index + 1}", fill=_AXIS)
        draw.rectangle([(_LEFT, top), (x_of(5), top + ROW - 10)], fill=_TRACK)
        draw.rectangle([(_LEFT, top), (x_of(value), top + ROW - 10)], fill=_BAR)
        draw.text((x_of(5) + 6, top + 2), f"{value:.2f}", fill=_AXIS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def data_uri(values: Sequence[float]) -> str:
    """:func:`bars` as a ``data:image/png;base64,…`` URI for a Markdown image."""
    return "data:image/png;base64," + base64.b64encode(bars(values)).decode("ascii")
