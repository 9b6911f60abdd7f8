"""Loading: staged Parquet → the DuckDB warehouse (single writer), schema migrations, read-only SQL."""
