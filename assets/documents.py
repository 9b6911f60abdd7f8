"""Per-document assets: the raw PDF, its parse result and its cleaned frames (one partition each)."""


import dagster as dg

from assets.partitions import documents
from assets.resources import EtlSettings
from pipeline import process
from pipeline.config import PARSER_VERSION
from pipeline.model import DocumentError, ParseResult
from pipeline.sources.registry import load_discovered

FETCH_RETRY = dg.RetryPolicy(max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL,
                             jitter=dg.Jitter.PLUS_MINUS)


def _fail(doc_locator: str, out: process.Outcome) -> dg.Failure:
    return dg.Failure(description=f"{doc_locator} cannot be read as a disclosure — "
                                  f"{out.error_kind}: {out.error}",
                      allow_retries=False, metadata={"error_kind": out.error_kind or "", "source": doc_locator})


@dg.asset(partitions_def=documents, group_name="documents", retry_policy=FETCH_RETRY, kinds={"pdf"},
          description="The document's PDF, copied into the sha256-addressed raw store.")
def raw_pdf(context: dg.AssetExecutionContext, etl: EtlSettings) -> dg.MaterializeResult:
    home = etl.home
    doc = load_discovered(home, context.partition_key)
    try:
        path = process.fetch(home, doc)
    except DocumentError as e:
        out = process.record_failure(home, doc, e.kind, e.message)
        raise _fail(doc.locator, out) from None
    return dg.MaterializeResult(
        metadata={"source": doc.locator, "sha256": doc.sha256 or "", "bytes": path.stat().st_size,
                  "raw_path": dg.MetadataValue.path(str(path))},
        data_version=dg.DataVersion(doc.sha256 or ""))


@dg.asset(partitions_def=documents, group_name="documents", deps=[raw_pdf], kinds={"pdfplumber"},
          code_version=PARSER_VERSION,
          description="The CONTRACT.md parse result of the document (data/parsed/<document_id>.json).")
def parsed_document(context: dg.AssetExecutionContext, etl: EtlSettings) -> dg.MaterializeResult:
    home = etl.home
    doc = load_discovered(home, context.partition_key)
    parsed = home.parsed / f"{doc.document_id}.json"
    reused = process.is_unchanged(home, doc) and parsed.exists()
    if reused:
        result = ParseResult.from_json(parsed.read_text("utf-8"))
        context.log.info(f"{doc.locator}: unchanged (same sha256, parser {PARSER_VERSION}): not parsed again")
    else:
        out, result = process.parse_step(home, doc)
        context.log.info(out.line())
        if result is None:
            raise _fail(doc.locator, out)
    return dg.MaterializeResult(metadata=_parse_metadata(result, reparsed=not reused),
                                data_version=dg.DataVersion(f"{doc.sha256}:{PARSER_VERSION}"))


@dg.asset(partitions_def=documents, group_name="documents", deps=[parsed_document],
          kinds={"polars", "parquet"},
          description="The document's cleaned polars frames, staged as Parquet for the single loader.")
def cleaned_frames(context: dg.AssetExecutionContext, etl: EtlSettings) -> dg.MaterializeResult:
    from pipeline.load.staging import read_staged

    home = etl.home
    doc = load_discovered(home, context.partition_key)
    result = ParseResult.from_json((home.parsed / f"{doc.document_id}.json").read_text("utf-8"))
    if not process.is_unchanged(home, doc):
        process.clean_step(home, doc, result, process.outcome_of(doc, result))
    frames = read_staged(home.staging, doc.document_id)
    return dg.MaterializeResult(metadata={
        **{f"rows_{name}": frame.height for name, frame in sorted(frames.items())},
        "staging_dir": dg.MetadataValue.path(str(home.staging / doc.document_id)),
    })


def _parse_metadata(result: ParseResult, reparsed: bool) -> dict:
    return {
        "reparsed": reparsed,
        "department": f"{result.department.get('code')} {result.department.get('name')}",
        "year": result.year or 0,
        "pages": result.source.get("pages") or 0,
        "tables_found": len(result.tables),
        "table_kinds": ", ".join(sorted({t.kind for t in result.tables})),
        "rows": sum(len(t.rows) for t in result.tables),
        "prose_figures": len(result.narrative),
        "warnings": len(result.warnings),
        "parser_version": PARSER_VERSION,
    }
