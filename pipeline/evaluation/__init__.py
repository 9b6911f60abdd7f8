"""Scoring against hand-built truth files (`budget-etl eval`): tools for measuring the library, not part
of the night's flow. ``parse_scores`` compares parser output with truth cell by cell; ``identity_scores``
compares a warehouse's latest check run with the identities each truth file records."""
