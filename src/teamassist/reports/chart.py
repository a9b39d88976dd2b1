"""The KR trend chart of a period report: a small PNG drawn server-side with Pillow (no JS
chart; the same image goes into the Markdown, the PDF and the .docx). Text in the image is
ASCII only (percentages, dates, ``O-1`` labels), so it needs no CJK font file; names stay in
the document's own text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

WIDTH, HEIGHT = 720, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 70, 12, 28
_PALETTE = ("#2f6fde", "#e8590c", "#2b8a3e", "#c2255c", "#7048e8", "#0c8599", "#e67700")
_GRID = "#dddddd"
_AXIS = "#666666"

Series = tuple[str, Sequence[tuple[date, float]]]


def line_chart(series: Sequence[Series], *, start: date, end: date) -> bytes:
    """PNG bytes: each series' points (day, 0–1; above 1 drawn at 1) from ``start`` to
    ``end``, labelled at its last point; gridlines at 0, 50 and 100%."""
    # Pillow (about 7 MiB resident) loads on the first chart, not when the server starts.
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    span = max((end - start).days, 1)
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = HEIGHT - _TOP - _BOTTOM

    def x_of(day: date) -> float:
        return _LEFT + plot_w * min(max((day - start).days, 0), span) / span

    def y_of(value: float) -> float:
        return _TOP + plot_h * (1 - min(max(value, 0.0), 1.0))

    for share in (0.0, 0.5, 1.0):
        y = y_of(share)
        draw.line([(_LEFT, y), (WIDTH - _RIGHT, y)], fill=_GRID, width=1)
        draw.text((4, y - 6), f"{round(share * 100)}%", fill=_AXIS)
    draw.line([(_LEFT, _TOP), (_LEFT, HEIGHT - _BOTTOM)], fill=_AXIS, width=1)
    for day in (start, end):
        draw.text((x_of(day) - 14, HEIGHT - _BOTTOM + 6), day.strftime("%m-%d"), fill=_AXIS)
    for index, (label, points) in enumerate(series):
        colour = _PALETTE[index % len(_PALETTE)]
        xy = [(x_of(d), y_of(v)) for d, v in points]
        if len(xy) > 1:
            draw.line(xy, fill=colour, width=2)
        for x, y in xy[-1:]:
            draw.ellipse([(x - 3, y - 3), (x + 3, y + 3)], fill=colour)
            draw.text((x + 6, y - 6), label[:10], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
