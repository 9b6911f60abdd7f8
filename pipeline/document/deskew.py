"""A scanned page turned on the glass, measured and turned back before its ruling is looked for.

Why: a sheet fed 0.5° askew shifts a table's bottom-right corner by ~20 px at 300 dpi. Ruling lines are
then broken into steps (no grid, or a wrong one) and cell crops cut through the figures. The angle is
measured from the page itself: its ruling lines and text lines are rows of dark pixels, so the angle at
which the dark pixels' projection onto the vertical axis is sharpest (the sum of its squared bin counts
is largest) is the angle the page was turned by. Ruling dominates that projection where there is any;
a page of prose is measured by its text lines alike.
"""

from __future__ import annotations

import numpy as np

#: Angles searched (degrees, either way): a feeder's skew; a page turned further is no skew but a
#: landscape page or a photograph, not straightened here.
MAX_ANGLE = 3.0
#: A measured angle smaller than this is left alone (at 300 dpi it moves an A4 row's far end ~1.5 px).
MIN_ANGLE = 0.06
#: The angle is measured on the page shrunk to about this resolution (precision ~0.02°, cost ~0.1 s).
MEASURE_DPI = 100
#: Darkness threshold (0 black … 255 white) of a pixel that counts.
DARK = 160


def _points(gray: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (x, y) of the dark pixels of ``gray`` shrunk to about MEASURE_DPI (block means)."""
    f = max(1, int(round(dpi / MEASURE_DPI)))
    h, w = gray.shape[0] // f * f, gray.shape[1] // f * f
    small = gray[:h, :w].reshape(h // f, f, w // f, f).mean(axis=(1, 3)) if f > 1 else gray
    ys, xs = np.nonzero(small < DARK)
    return xs.astype(np.float64), ys.astype(np.float64)


def _sharpness(xs: np.ndarray, ys: np.ndarray, angle: float, height: int) -> float:
    """How concentrated the rows are with the page turned back by ``angle`` (degrees)."""
    t = np.tan(np.radians(angle))
    y = np.rint(ys + xs * t).astype(np.int64)
    y -= y.min()
    counts = np.bincount(y, minlength=1).astype(np.float64)
    return float((counts * counts).sum())


def measure(gray: np.ndarray, dpi: float) -> float:
    """The angle (degrees) the page was turned by: positive when the rows rise to the right
    (counter-clockwise on screen); 0.0 when the page has too little on it to tell."""
    xs, ys = _points(gray, dpi)
    if xs.size < 200:
        return 0.0
    h = int(ys.max()) + 1

    def best(angles: np.ndarray) -> float:
        scores = [_sharpness(xs, ys, float(a), h) for a in angles]
        return float(angles[int(np.argmax(scores))])

    coarse = best(np.arange(-MAX_ANGLE, MAX_ANGLE + 1e-9, 0.1))
    fine = best(np.arange(coarse - 0.1, coarse + 0.1 + 1e-9, 0.01))
    return round(fine, 2)


def straighten(gray: np.ndarray, dpi: float) -> tuple[np.ndarray, float]:
    """``gray`` turned back by its measured skew (white where the turn uncovers the corners), and the
    angle measured; the image itself when the skew is below MIN_ANGLE or at the search's edge."""
    angle = measure(gray, dpi)
    if abs(angle) < MIN_ANGLE or abs(angle) >= MAX_ANGLE - 0.05:
        return gray, angle
    from PIL import Image

    img = Image.fromarray(gray).rotate(-angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    return np.asarray(img, dtype=np.uint8), angle
