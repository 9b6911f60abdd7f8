"""Which table kinds each family of rules runs over, read from the table-kind dimension (the template
model that the warehouse's ``table_kinds`` holds: pipeline.load.dimensions.table_kind_rows), so the
checks restate no list of kinds of their own (issue 14, item 2)."""

from __future__ import annotations

from pipeline.load.dimensions import table_kind_rows

_KINDS = table_kind_rows()

#: The summaries printing revenue and expenditure side by side: their sums run per side.
SUMMARY_KINDS: tuple[str, ...] = tuple(k.kind for k in _KINDS if k.side_by_side)

#: One-sided standard tables whose rows carry subject codes: their column totals and the 类/款/项
#: hierarchy are summed over the codes. The extra (non-standard) coded kinds, Jiangsu's 财政拨款 and
#: 机关运行经费 tables, are not summed this way (as before the dimension existed).
CODED_KINDS: tuple[str, ...] = tuple(k.kind for k in _KINDS if k.coded and not k.side_by_side and k.standard)

#: Kinds whose rows carry no subject codes (三公, procurement, performance targets, assets): a code-like
#: cell on them is not a subject code.
UNCODED_KINDS: frozenset[str] = frozenset(k.kind for k in _KINDS if not k.coded)

#: Kinds of text rows (performance targets): no amount on them is restated by a prose figure's label.
TEXT_ONLY_KINDS: frozenset[str] = frozenset(k.kind for k in _KINDS if k.text_only)
