"""A scanned disclosure: a rendered demo document whose pages are turned into images only.

Why: the corpus's scans are all notices, so the OCR path's figures are measured here, where the truth
is known: the same document as the text rendition, with no text layer (pypdfium2 rasterises each
page, reportlab puts the bitmaps alone into a new PDF, as a copier's scan-to-PDF does).
"""

from __future__ import annotations

import io
from pathlib import Path

#: Resolution of the page images (an office scanner's usual setting).
SCAN_DPI = 200


def rasterise(src: str | Path, dst: str | Path, dpi: int = SCAN_DPI, blank: bool = False) -> int:
    """Write ``dst``: every page of ``src`` as a grey bitmap at ``dpi``, with no text layer; the
    number of pages. ``blank``: the images hold no text (a page that is only a faint tint)."""
    import pypdfium2 as pdfium
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    doc = pdfium.PdfDocument(str(src))
    c = canvas.Canvas(str(dst), invariant=1)
    try:
        n = len(doc)
        for i in range(n):
            pg = doc[i]
            w, h = pg.get_size()
            if blank:
                img = Image.new("L", (int(w * dpi / 72), int(h * dpi / 72)), 235)
            else:
                img = pg.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            pg.close()
            buf = io.BytesIO()
            img.save(buf, format="PNG")
            buf.seek(0)
            c.setPageSize((w, h))
            c.drawImage(ImageReader(buf), 0, 0, width=w, height=h)
            c.showPage()
    finally:
        doc.close()
    c.save()
    return n
