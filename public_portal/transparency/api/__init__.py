"""The read-only open data API (``/api/v1/``): published dispositions and allegations, policy
recommendations and the dashboard's statistics, with its OpenAPI schema and documentation."""
