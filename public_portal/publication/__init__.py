"""Publication of anonymized dispositions: redaction of case summaries."""
