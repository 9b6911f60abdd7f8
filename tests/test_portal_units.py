"""Unit tests of the portal pieces: decoding, titles, link extraction, CMS page logic."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.sources.portal.cms import (SitePatterns, analyse_listing, detect_family, jcms_proxy_url,
                                         trs_pages)
from pipeline.sources.portal.http import decode_html, describe_non_pdf, looks_like_pdf
from pipeline.sources.portal.links import extension, parse_html, viewer_target
from pipeline.sources.portal.meta import parse_department, parse_year

BASE = "http://gov.test/xxgk/yjsgk/202302/t20230210_1.html"


# ------------------------------------------------------------------------------------------ decoding
def test_decode_meta_charset_gb2312_reads_gbk_characters():
    html = '<html><head><meta charset="gb2312"></head><body>区堃园街道办事处</body></html>'
    text, enc = decode_html(html.encode("gbk"))
    assert "区堃园街道办事处" in text and enc == "gb18030"


def test_decode_wrong_header_falls_through_to_meta():
    html = '<meta http-equiv="Content-Type" content="text/html; charset=gbk"><p>部门预算公开</p>'
    text, _ = decode_html(html.encode("gbk"), "text/html; charset=utf-8")
    assert "部门预算公开" in text


def test_decode_without_declaration_sniffs_gbk_and_utf8():
    page = "<html><body><p>关于区财政局2023年部门预算公开的说明</p></body></html>"
    assert decode_html(page.encode("gbk"))[0] == page
    assert decode_html(page.encode("utf-8"))[0] == page
    assert decode_html(b"\xef\xbb\xbf" + page.encode("utf-8"))[0] == page


_HAN = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=30)


@given(_HAN, st.sampled_from(["gbk", "gb2312", "GB18030", "utf-8"]))
@settings(max_examples=60, deadline=None)
def test_decode_declared_charset_roundtrips(text, charset):
    page = f'<html><head><meta charset="{charset}"></head><body>{text}</body></html>'
    enc = "gb18030" if charset.lower() != "utf-8" else "utf-8"
    assert decode_html(page.encode(enc))[0] == page


def test_pdf_sniffing():
    assert looks_like_pdf(b"%PDF-1.7\n...") and looks_like_pdf(b"\r\n  %PDF-1.4")
    assert not looks_like_pdf(b"<!DOCTYPE html><html>")
    assert describe_non_pdf(b"<html><body>404</body></html>", "text/html") == \
        "the server returned an HTML page, not a PDF"
    assert "does not start with %PDF-" in describe_non_pdf(b"PK\x03\x04", "application/zip")


# -------------------------------------------------------------------------------------------- titles
def test_titles_in_both_orders_and_wrapped():
    cases = {
        "区财政局2023年部门预算公开": ("区财政局", 2023),
        "2022年区教育体育局部门预算": ("区教育体育局", 2022),
        "关于区民政局2023年部门预算公开的说明": ("区民政局", 2023),
        "附件1：区审计局2021年部门决算.pdf": ("区审计局", 2021),
        "2023年部门预算公开表.xls": (None, 2023),
        "政府信息公开指南": (None, None),
    }
    for title, (dept, year) in cases.items():
        assert (parse_department(title), parse_year(title)) == (dept, year), title


def test_department_falls_back_to_the_next_text():
    assert parse_department("2023年部门预算.pdf", "区水务局2023年部门预算公开") == "区水务局"
    assert parse_year("P020230210.pdf", "区水务局2023年部门预算公开") == 2023


_NAME = st.text(st.sampled_from("区县市财政教育体育卫生健康委员会办公室局中心街道民政司法审计统计"),
                min_size=2, max_size=14).filter(lambda s: s not in {"区", "县", "市"})
_TEMPLATES = ["{d}{y}年部门预算公开", "{y}年{d}部门预算", "关于{d}{y}年部门预算公开的说明",
              "附件2：{d}{y}年部门决算.pdf", "{d}{y}年预算"]


@given(_NAME, st.integers(2000, 2099), st.sampled_from(_TEMPLATES))
def test_department_and_year_roundtrip(name, year, template):
    title = template.format(d=name, y=year)
    assert parse_year(title) == year
    assert parse_department(title) == name


# ------------------------------------------------------------------------------------------- links
def test_links_hidden_in_onclick_iframe_viewer_and_script():
    html = """<html><body>
      <a href="javascript:void(0)" onclick="window.open('./P01.pdf')">2023年预算.pdf</a>
      <button onclick="location.href='/files/b.pdf'">下载</button>
      <iframe src="./P02.pdf"></iframe>
      <a href="/pdfjs/web/viewer.html?file=%2Fup%2Fc.pdf">在线查看</a>
      <script>var file_appendix='<a href="./P03.doc">说明.doc</a>'; document.write(file_appendix);</script>
      <a href="#top">顶部</a> <a href="mailto:x@y">邮件</a>
    </body></html>"""
    page = parse_html(html, BASE)
    atts = {l.url: l for l in page.links if extension(l.url)}
    d = "http://gov.test/xxgk/yjsgk/202302/"
    assert set(atts) == {d + "P01.pdf", "http://gov.test/files/b.pdf", d + "P02.pdf",
                         "http://gov.test/up/c.pdf", d + "P03.doc"}
    assert atts[d + "P01.pdf"].text == "2023年预算.pdf"
    assert atts["http://gov.test/up/c.pdf"].kind == "viewer"
    assert atts[d + "P03.doc"].text == "说明.doc"


def test_base_href_and_relative_links():
    page = parse_html('<base href="http://gov.test/other/"><a href="../x/t20230101_5.html">x</a>', BASE)
    assert page.links[0].url == "http://gov.test/x/t20230101_5.html"


def test_extension_and_viewer_target():
    assert extension("http://h/module/download/downfile.jsp?classid=0&filename=a.PDF") == "pdf"
    assert extension("http://h/a/b.XLSX") == "xlsx" and extension("http://h/a/t1.html") is None
    assert viewer_target("http://h/pdfjs/web/viewer.html?file=../../f/a.pdf") == "http://h/f/a.pdf"


# --------------------------------------------------------------------------------------------- CMS
def test_trs_page_count_literal_and_variable():
    base = "http://h/col/index.html"
    assert trs_pages('createPageHTML(3, 0, "index", "html");', base) == [
        "http://h/col/index.html", "http://h/col/index_1.html", "http://h/col/index_2.html"]
    js = 'var countPage = 2//共多少页\ncreatePageHTML(countPage, currentPage, "index", "shtml");'
    assert trs_pages(js, base) == ["http://h/col/index.shtml", "http://h/col/index_1.shtml"]
    assert trs_pages('createPageHTML(1, 0, "index", "html");', base) == []


def _jcms(n: int, total: int) -> str:
    recs = "".join(f'<record><![CDATA[<li><a href="/art/2023/2/{i + 1}/art_9_{i}.html" '
                   f'title="2023年某局{i}部门预算">x</a></li>]]></record>' for i in range(n))
    return ('<div id="1"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/'
            'jpage/dataproxy.jsp?page=1&webid=2&columnid=9&unitid=1"></a>]]></nextgroup><recordset>'
            f"{recs}</recordset></datastore></script></div><script>var x={{totalRecord:{total},"
            "perPage:5}}</script>")


def test_jcms_datastore_records_and_proxy_paging():
    base = "http://h/col/col9/index.html"
    text = _jcms(15, 40)
    page = parse_html(text, base)
    assert detect_family(text, page) == "jcms"
    listing = analyse_listing(text, page)
    assert len(listing.articles) == 15 and all(a.kind == "datastore" for a in listing.articles)
    (nxt,) = listing.pages
    assert "startrecord=16" in nxt and "endrecord=30" in nxt and "columnid=9" in nxt
    answer = ('<?xml version="1.0"?><datastore><totalrecord>40</totalrecord><recordset>'
              + "".join(f"<record><![CDATA[<a href='/art/2023/3/1/art_9_{i}.html'>t</a>]]></record>"
                        for i in range(15)) + "</recordset></datastore>")
    nxt2 = jcms_proxy_url(answer, nxt)
    assert "startrecord=31" in nxt2 and "endrecord=45" in nxt2
    last = nxt2.replace("startrecord=31", "startrecord=31")
    assert jcms_proxy_url(answer.replace("<totalrecord>40", "<totalrecord>30"), last) is None
    assert len(analyse_listing(answer, parse_html(answer, nxt)).articles) == 15


def test_jcms_all_records_in_first_group_needs_no_proxy():
    text = _jcms(7, 7)
    assert analyse_listing(text, parse_html(text, "http://h/col/col9/index.html")).pages == []


def test_plain_listing_next_link_and_navigation_excluded():
    html = """<a href="/">首页</a><a href="/yjs/">预决算公开</a>
      <a href="show.asp?id=3">区财政局2023年部门预算公开</a>
      <a href="list_2.html">下一页</a>"""
    page = parse_html(html, "http://h/yjs/list.html")
    listing = analyse_listing(html, page)
    assert listing.family == "plain"
    assert [a.url for a in listing.articles] == ["http://h/yjs/show.asp?id=3"]
    assert listing.pages == ["http://h/yjs/list_2.html"]


def test_patterns_force_family_and_next_pages():
    html = '<a href="p2.htm">更多</a><a href="/a?id=1">看</a>'
    listing = analyse_listing(html, parse_html(html, "http://h/x/p1.htm"),
                              SitePatterns(family="plain", article_url=r"/a\?id=", next_page_text="更多"))
    assert [a.url for a in listing.articles] == ["http://h/a?id=1"]
    assert listing.pages == ["http://h/x/p2.htm"]
