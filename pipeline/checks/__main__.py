"""`python -m pipeline.checks`: print the identity catalogue as a Markdown table."""

from pipeline.checks.catalogue import catalogue_markdown

print(catalogue_markdown())
