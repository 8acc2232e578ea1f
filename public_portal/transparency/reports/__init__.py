"""Quarterly and annual public reports (PDF)."""
