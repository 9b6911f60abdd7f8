"""One dynamic partition per document; the key is the document_id (docs/DESIGN.md)."""

import dagster as dg

documents = dg.DynamicPartitionsDefinition(name="documents")
