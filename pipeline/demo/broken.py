"""Files that cannot be read as disclosures, each with the error the parser must report.

Why: the pipeline must record unreadable documents as failures with a typed error, never crash; these
files are built from a real rendered PDF so they look like what a portal serves by mistake.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as rl_canvas

HTML = ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>404 页面不存在</title>"
        "</head>\n<body><h1>404</h1><p>您访问的页面不存在或已被删除。</p></body></html>\n")


def _images_only(src: Path, dst: Path, pages: int = 2) -> None:
    """A PDF of ``pages`` page images holding no readable text (a faint grey tint with a smudge, as a
    copier's blank sheet): nothing for a text layer nor for OCR, so it is ``no_text``."""
    from PIL import Image, ImageDraw

    w, h = A4
    c = rl_canvas.Canvas(str(dst), pagesize=A4, invariant=1)
    for i in range(pages):
        img = Image.new("L", (int(w * 150 / 72), int(h * 150 / 72)), 238)
        ImageDraw.Draw(img).ellipse((300 + 40 * i, 500, 380 + 40 * i, 560), fill=215)
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        buf.seek(0)
        c.drawImage(ImageReader(buf), 0, 0, width=w, height=h)
        c.showPage()
    c.save()


def _encrypted(dst: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    from pipeline.demo.seed import seed_doc
    from pipeline.demo.render import render_document

    enc = StandardEncryption("demo-user-password", ownerPassword="demo-owner", canPrint=0, strength=128)
    render_document(seed_doc(), dst, encrypt=enc)


def write_broken(out: Path, clean_pdf: Path, year: int) -> list:
    """Write the broken files under ``out/<year>/``; return their manifest entries."""
    from pipeline.demo import DistrictFile

    folder = out / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    data = clean_pdf.read_bytes()
    made = {
        "truncated": ("901_损坏文件.pdf", lambda p: p.write_bytes(data[: len(data) // 2])),
        "not_pdf": ("902_网页另存.pdf", lambda p: p.write_text(HTML, encoding="utf-8")),
        "no_text": ("903_扫描件.pdf", lambda p: _images_only(clean_pdf, p)),
        "encrypted": ("904_加密文件.pdf", _encrypted),
    }
    entries = []
    for kind, (name, make) in made.items():
        p = folder / name
        make(p)
        rel = f"{year}/{name}"
        truth_rel = rel[:-4] + ".truth.json"
        body = p.read_bytes()
        truth = {"source": {"path": rel, "sha256": hashlib.sha256(body).hexdigest(), "pages": None},
                 "error": {"kind": kind}, "truth": {"faults": [], "broken": kind}}
        (out / truth_rel).write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
        entries.append(DistrictFile(rel, "broken", truth_rel, None, year, []))
    return entries
