"""The discrepancy report a person reads: one self-contained HTML page for the district.

``write_report(db_path, out_dir)`` reads ``check_results`` (the latest run) and writes
``out_dir/discrepancies.html``. Wording comes from the identity registry (pipeline/checks/catalogue.py).
"""

from pipeline.report.render import write_report

__all__ = ["write_report"]
