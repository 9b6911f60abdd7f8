"""Cleaning: parse results → canonical polars frames (exact Decimal amounts, names, codes)."""
