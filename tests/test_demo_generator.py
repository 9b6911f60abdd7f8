"""The demo district generator: determinism, identities on clean truths, faults, broken files.

The identity checks are written here directly against the truth JSON (independent of pipeline.checks).
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal as D
from pathlib import Path

import pdfplumber
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.demo import (FAULT_KINDS, PERFORMANCE_FAULT_KINDS, DistrictFile, DistrictManifest,
                           generate_district)
from pipeline.demo.seed import seed_result


def _load(out: Path, f) -> dict:
    return json.loads((out / f.truth).read_text(encoding="utf-8"))


def _v(row: dict, m: str) -> D:
    return D(row["values"].get(m, "0"))


def _table(doc: dict, kind: str) -> dict:
    return next(t for t in doc["tables"] if t["kind"] == kind)


def _side(doc: dict, kind: str, side: str, name: str) -> D:
    for r in _table(doc, kind)["rows"]:
        if r["side"] == side and r["name"] == name:
            return _v(r, "amount")
    return D(0)


def _claim(doc: dict, metric: str) -> list[D]:
    return [D(c["amount"]) for c in doc["narrative"] if c["metric"] == metric]


def identity_failures(doc: dict) -> list[str]:
    """Every DOMAIN.md identity the generator promises, as a list of failure messages."""
    bad: list[str] = []

    def eq(a: D, b: D, what: str) -> None:
        if a != b:
            bad.append(f"{what}: {a} != {b}")

    for kind, parts in (("expenditure_summary", ("basic", "project")),
                        ("general_budget_expenditure", ("basic", "project"))):
        rows = _table(doc, kind)["rows"]
        coded = [r for r in rows if r["code"]]
        for r in rows:
            eq(_v(r, "total"), sum((_v(r, m) for m in parts), D(0)), f"{kind} {r['code']} row total")
            if kind == "general_budget_expenditure":
                eq(_v(r, "basic"), _v(r, "personnel") + _v(r, "public_funds"), f"{kind} {r['code']} basic")
        for r in coded:
            if len(r["code"]) < 7:
                kids = [k for k in coded if len(k["code"]) == len(r["code"]) + 2 and k["code"].startswith(r["code"])]
                eq(_v(r, "total"), sum((_v(k, "total") for k in kids), D(0)), f"{kind} {r['code']} = Σ children")
        tot = next(r for r in rows if r["name"] == "合计")
        eq(_v(tot, "total"), sum((_v(r, "total") for r in coded if len(r["code"]) == 3), D(0)), f"{kind} 合计")
    basic = _table(doc, "general_budget_basic_expenditure")["rows"]
    for r in basic:
        eq(_v(r, "total"), _v(r, "personnel") + _v(r, "public_funds"), f"basic {r['code']}")
        if r["code"] and len(r["code"]) == 3:
            kids = [k for k in basic if k["code"] and len(k["code"]) == 5 and k["code"].startswith(r["code"])]
            eq(_v(r, "total"), sum((_v(k, "total") for k in kids), D(0)), f"basic {r['code']} = Σ款")
    for kind in ("revenue_expenditure_summary", "fiscal_summary"):
        rev = [r for r in _table(doc, kind)["rows"] if r["side"] == "revenue"]
        items = sum((_v(r, "amount") for r in rev if r["name"][:2] in ("一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、")), D(0))
        inc = _side(doc, kind, "revenue", "本年收入合计")
        eq(inc, items, f"{kind} 本年收入合计 = Σ items")
        eq(_side(doc, kind, "revenue", "收入总计"), inc + _side(doc, kind, "revenue", "上年结转结余"), f"{kind} 收入总计")
        eq(_side(doc, kind, "revenue", "收入总计"), _side(doc, kind, "expenditure", "支出总计"), f"{kind} 收入=支出")
        exp = [r for r in _table(doc, kind)["rows"] if r["side"] == "expenditure" and r["name"] not in ("本年支出合计", "支出总计")]
        eq(_side(doc, kind, "expenditure", "本年支出合计"), sum((_v(r, "amount") for r in exp), D(0)), f"{kind} 本年支出合计")
    rs = _table(doc, "revenue_summary")["rows"]
    eq(_v(rs[0], "total"), _side(doc, "revenue_expenditure_summary", "revenue", "本年收入合计"), "revenue table = summary")
    eq(_v(rs[0], "total"), sum((_v(r, "total") for r in rs[1:]), D(0)), "revenue table 合计")
    es_tot = next(r for r in _table(doc, "expenditure_summary")["rows"] if r["name"] == "合计")
    eq(_v(es_tot, "total"), _side(doc, "revenue_expenditure_summary", "expenditure", "本年支出合计"), "expenditure = summary")
    gb_tot = next(r for r in _table(doc, "general_budget_expenditure")["rows"] if r["name"] == "合计")
    eq(_v(gb_tot, "personnel"), _v(basic[0], "personnel"), "gb personnel = basic table")
    eq(_v(gb_tot, "public_funds"), _v(basic[0], "public_funds"), "gb public = basic table")
    tp = _table(doc, "three_public")
    if tp["rows"]:
        t3 = {x["name"]: _v(x, "total") for x in tp["rows"]}
        eq(t3["合计"], t3["因公出国(境)费"] + t3["公务接待费"] + t3["公务用车购置及运行费"], "三公 合计")
        eq(t3["公务用车购置及运行费"], t3["其中：公务用车购置费"] + t3["公务用车运行费"], "三公 车辆")
    proc = _table(doc, "procurement")["rows"]
    if proc:
        for r in proc[1:]:
            eq(_v(r, "quantity") * _v(r, "unit_price"), _v(r, "amount"), f"procurement {r['name']}")
        eq(_v(proc[0], "amount"), sum((_v(r, "amount") for r in proc[1:]), D(0)), "procurement 合计")
    prose = {"total_expenditure": _side(doc, "revenue_expenditure_summary", "expenditure", "本年支出合计"),
             "total_revenue": _v(rs[0], "total"), "basic_expenditure": _v(es_tot, "basic"),
             "project_expenditure": _v(es_tot, "project"), "personnel_expenditure": _v(basic[0], "personnel"),
             "public_funds_expenditure": _v(basic[0], "public_funds"),
             "operating_expenses_of_organ": _v(basic[0], "public_funds"),
             "procurement_total": _v(proc[0], "amount") if proc else D(0),
             "three_public_total": t3["合计"] if tp["rows"] else D(0)}
    for m, want in prose.items():
        for got in _claim(doc, m):
            eq(got, want, f"prose {m}")
    inc = _claim(doc, "increase_total")[0]
    eq(inc, _claim(doc, "increase_basic")[0] + _claim(doc, "increase_project")[0], "prose increase parts")
    # project forms printing their 项目资金 block: 年度资金申请总额 = its sources; the prose names the forms
    form_totals = []
    for t in doc["tables"]:
        funds = {r["name"]: _v(r, "amount") for r in t["rows"] if t["kind"] == "performance_targets"
                 and r["attrs"].get("group") == "项目资金"}
        if funds:
            form_totals.append(funds["年度资金申请总额"])
            eq(funds["年度资金申请总额"], funds["其中：当年财政拨款"] + funds["上年结转资金"] + funds["其他资金"],
               f"form {t['title']} funds")
    if form_totals or _claim(doc, "project_targets_budget"):
        eq(_claim(doc, "project_targets_count")[0], D(len(form_totals)), "prose project count")
        eq(_claim(doc, "project_targets_budget")[0], sum(form_totals, D(0)), "prose project budget")
    return bad


@pytest.fixture(scope="module")
def default_district(demo_district):
    """The session's default demo district (tests/conftest.py) and the manifest its generator wrote."""
    m = json.loads((demo_district / "manifest.json").read_text(encoding="utf-8"))
    return demo_district, DistrictManifest(str(demo_district), m["seed"], [DistrictFile(**f) for f in m["files"]])


def test_default_district_shape(default_district):
    out, man = default_district
    docs = man.of_kind("clean") + man.of_kind("fault")
    assert len(docs) >= 80
    assert len(man.of_kind("seed")) == 1 and man.of_kind("seed")[0].path == "2023/125_社区管理办公室.pdf"
    assert {f.department_code for f in docs} .isdisjoint({"125"})
    roster = (out / "roster.csv").read_text(encoding="utf-8").splitlines()
    assert roster[0] == "department_code,name,years"
    assert "125,承德高新技术产业开发区社区管理办公室,2023" in roster
    assert len(roster) == 1 + 40 + 1
    for f in man.files:
        assert (out / f.path).exists() and (out / f.truth).exists()


def test_clean_documents_hold_every_identity(default_district):
    out, man = default_district
    for f in man.of_kind("clean"):
        doc = _load(out, f)
        assert doc["truth"]["faults"] == []
        assert identity_failures(doc) == [], f.path


def test_increase_equals_difference_between_years(default_district):
    out, man = default_district
    by = defaultdict(dict)
    for f in man.of_kind("clean") + man.of_kind("fault"):
        by[f.department_code][f.year] = _load(out, f)
    checked = 0
    for code, ys in by.items():
        if 2022 in ys and 2023 in ys and not ys[2023]["truth"]["faults"] and not ys[2022]["truth"]["faults"]:
            for inc, m in (("increase_total", "total_expenditure"), ("increase_basic", "basic_expenditure"),
                           ("increase_project", "project_expenditure")):
                assert _claim(ys[2023], inc)[0] == _claim(ys[2023], m)[0] - _claim(ys[2022], m)[0], (code, inc)
            checked += 1
    assert checked >= 20


def test_each_fault_kind_twice_and_breaks_its_identity(default_district):
    out, man = default_district
    seen = defaultdict(set)
    for f in man.of_kind("fault"):
        doc = _load(out, f)
        (rec,) = doc["truth"]["faults"]
        seen[rec["fault"]].add(f.department_code)
        assert rec["pages"], rec
        if rec["fault"] == "department_code":
            codes = {t["department_code"] for t in doc["tables"] if t["department_code"]}
            assert codes == {f.department_code, rec["code"]}
        else:
            assert identity_failures(doc), (f.path, rec)
    assert set(seen) == set(FAULT_KINDS) | set(PERFORMANCE_FAULT_KINDS)
    assert all(len(v) >= 2 for v in seen.values())


def test_some_clean_documents_print_their_project_forms_funds(default_district):
    """The 项目资金 block is printed on clean documents too (the departments of the form faults, in their
    other year), so the form identities are seen holding as well as broken."""
    out, man = default_district
    funded = [f for f in man.of_kind("clean") if _claim(_load(out, f), "project_targets_budget")]
    assert len(funded) >= 2


def test_broken_files_fail_to_open(default_district):
    out, man = default_district
    kinds = {}
    for f in man.of_kind("broken"):
        truth = _load(out, f)
        kinds[truth["error"]["kind"]] = out / f.path
    assert set(kinds) == {"truncated", "not_pdf", "no_text", "encrypted"}
    for k in ("truncated", "not_pdf", "encrypted"):
        with pytest.raises(Exception):
            with pdfplumber.open(kinds[k]) as pdf:
                pdf.pages[0].extract_text()
    with pdfplumber.open(kinds["no_text"]) as pdf:
        assert pdf.pages and all(not (p.extract_text() or "").strip() for p in pdf.pages)
        assert pdf.pages[0].images


def test_tables_are_ruled_and_text_extracts(default_district):
    out, man = default_district
    f = man.of_kind("clean")[0]
    doc = _load(out, f)
    t = _table(doc, "expenditure_summary")
    with pdfplumber.open(out / f.path) as pdf:
        page = pdf.pages[t["pages"][0] - 1]
        text = page.extract_text()
        assert "部门预算支出总表" in text
        found = page.find_tables()
        assert found and len(found[0].rows) >= len(t["rows"]) + 2
        row = t["rows"][0]
        x0, top, x1, bottom = row["bbox"]
        assert row["code"] in (page.crop((x0, top, x1, bottom)).extract_text() or "")


def test_seed_truth_has_its_figures_and_quirks(default_district):
    out, man = default_district
    doc = _load(out, man.of_kind("seed")[0])
    gb = _table(doc, "general_budget_expenditure")["rows"][0]
    assert gb["values"] == {"total": "2119.29", "basic": "1081.26", "personnel": "1065.53",
                            "public_funds": "15.73", "project": "1038.03"}
    assert _side(doc, "revenue_expenditure_summary", "expenditure", "本年支出合计") == D("2134.29")
    assert sorted(_claim(doc, "meeting_expenses")) == [D("0"), D("0"), D("0.35")]
    proc = _table(doc, "procurement")
    assert proc["department_code"] == "106" and len(proc["pages"]) == 3 and len(proc["rows"]) == 27
    assert _table(doc, "three_public")["department_name"] == "承德高技术产业开发区社区管理办公室"
    assert _table(doc, "government_fund_expenditure")["note"] == "注：无政府基金预算财政拨款预算，空表列式。"
    quirks = doc["truth"]["faults"]
    assert all(q["seed_quirk"] for q in quirks)
    assert {"department_code", "prose_mismatch", "procurement_line", "prose_sum"} <= {q["fault"] for q in quirks}
    assert identity_failures(doc)          # the seed is not clean
    assert seed_result().to_dict()["tables"] == doc["tables"]


def test_same_seed_identical_bytes_different_seed_differs(tmp_path):
    a = generate_district(tmp_path / "a", seed=7, departments=3, broken=False, include_seed=False)
    b = generate_district(tmp_path / "b", seed=7, departments=3, broken=False, include_seed=False)
    c = generate_district(tmp_path / "c", seed=8, departments=3, broken=False, include_seed=False)
    for fa, fb in zip(a.files, b.files):
        assert (tmp_path / "a" / fa.path).read_bytes() == (tmp_path / "b" / fb.path).read_bytes()
        assert (tmp_path / "a" / fa.truth).read_bytes() == (tmp_path / "b" / fb.truth).read_bytes()
    assert any((tmp_path / "a" / fa.truth).read_bytes() != (tmp_path / "c" / fc.truth).read_bytes()
               for fa, fc in zip(a.files, c.files))
    written = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert written["seed"] == 7 and [DistrictFile(**f) for f in written["files"]] == a.files


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=10**9))
def test_property_clean_district_identities_hold(tmp_path, seed):
    out = tmp_path / str(seed)
    man = generate_district(out, seed=seed, departments=3, faults=False, broken=False, include_seed=False)
    assert len(man.files) == 6
    for f in man.files:
        assert identity_failures(_load(out, f)) == [], (seed, f.path)
