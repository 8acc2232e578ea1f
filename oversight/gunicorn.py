"""Gunicorn settings: ``gunicorn -c python:oversight.gunicorn oversight.wsgi``.

No network identifier of a public visitor is written anywhere, logs included. Gunicorn writes no
access log unless one is asked for (``--access-logfile``); if it is, its lines carry the time, the
request line, the status, the size and the duration, never the client address (``%(h)s``), the
user agent (``%(a)s``), the referrer or any forwarded header.
"""

access_log_format = '[%(t)s] "%(r)s" %(s)s %(b)s %(L)ss'
