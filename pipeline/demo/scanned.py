"""A scanned disclosure: a rendered demo document whose pages are turned into images only.

Why: the corpus's scans are all notices, so the OCR path's figures are measured here, where the truth
is known: the same document as the text rendition, with no text layer (pypdfium2 rasterises each
page, reportlab puts the bitmaps alone into a new PDF, as a copier's scan-to-PDF does).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from PIL import Image

#: Resolution of the page images (an office scanner's usual setting).
SCAN_DPI = 200


def write_image_pdf(dst: str | Path, pages: "Iterable[tuple[float, float, Image.Image | io.BytesIO]]") -> int:
    """Write ``dst``: one page per (width, height in points, image or encoded image), the image filling
    the page and nothing else on it (no text layer); the number of pages."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(dst), invariant=1)
    n = 0
    for w, h, img in pages:
        if isinstance(img, Image.Image):
            buf = io.BytesIO()
            img.save(buf, format="PNG")
            buf.seek(0)
            img = buf
        c.setPageSize((w, h))
        c.drawImage(ImageReader(img), 0, 0, width=w, height=h)
        c.showPage()
        n += 1
    c.save()
    return n


def rasterise(src: str | Path, dst: str | Path, dpi: int = SCAN_DPI, blank: bool = False) -> int:
    """Write ``dst``: every page of ``src`` as a grey bitmap at ``dpi``, with no text layer; the
    number of pages. ``blank``: the images hold no text (a page that is only a faint tint)."""
    import pypdfium2 as pdfium
    from PIL import Image

    doc = pdfium.PdfDocument(str(src))

    def pages():
        for i in range(len(doc)):
            pg = doc[i]
            w, h = pg.get_size()
            if blank:
                img = Image.new("L", (int(w * dpi / 72), int(h * dpi / 72)), 235)
            else:
                img = pg.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            pg.close()
            yield w, h, img

    try:
        return write_image_pdf(dst, pages())
    finally:
        doc.close()


#: The variant rendered as the demo's scanned disclosure (7 pages, every standard table but two).
SCANNED_VARIANT_SEED = 3


def write_scanned(out: Path) -> "DistrictFile":
    """The demo's scanned disclosure: a small department rendered (variants.py), its pages turned
    into images; its truth is the text rendition's (same figures, same geometry)."""
    import hashlib
    import json

    from pipeline.demo import DistrictFile
    from pipeline.demo.variants import Variant, render_variant

    out = Path(out)
    text_pdf = out / "scanned" / "text_rendition.pdf"
    text_pdf.parent.mkdir(parents=True, exist_ok=True)
    truth, _ = render_variant(Variant(seed=SCANNED_VARIANT_SEED), text_pdf)
    code = truth.department.get("code") or "000"
    rel = f"{truth.year}/{code}_扫描版.pdf"
    (out / rel).parent.mkdir(parents=True, exist_ok=True)
    pages = rasterise(text_pdf, out / rel)
    text_pdf.unlink()
    text_pdf.parent.rmdir()
    d = truth.to_dict()
    body = (out / rel).read_bytes()
    d["source"] = {"path": rel, "sha256": hashlib.sha256(body).hexdigest(), "pages": pages}
    d["truth"] = {"faults": [], "broken": None, "scanned": True}
    truth_rel = rel[:-4] + ".truth.json"
    (out / truth_rel).write_text(json.dumps(d, ensure_ascii=False, indent=1), encoding="utf-8")
    return DistrictFile(rel, "scanned", truth_rel, code, truth.year, [])
