"""district-budget-etl: a district's budget disclosures, parsed, checked and queryable."""
