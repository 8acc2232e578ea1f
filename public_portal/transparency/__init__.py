"""Public numbers: dispositions, dashboards, open data and reports."""
