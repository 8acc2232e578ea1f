"""The audit log page for supervisors: filtered, keyset-paged events and a CSV export of the same
set, each use of it audited (``audit_log.viewed``, ``audit_log.exported``).

``selectors`` reads the events, ``forms`` reads the filters, ``export`` writes the CSV and ``views``
serves both under ``/staff/audit/``.
"""
