"""Celery application.

With no broker configured (the embedded default) tasks never reach Celery: ``oversight.tasks.enqueue``
runs them in-process after the surrounding transaction commits.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oversight.settings")

app = Celery("oversight")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
