"""What the import tells the parts above it. Bulk writes send no model signals, so the search index
(``search/signals.py``) learns of imported cases from this one."""

from django.dispatch import Signal

# Sent inside each batch's transaction with ``complaint_ids``: the cases the batch created or replaced.
cases_written = Signal()
# Sent once the import's last batch committed. Receivers may return a line for the command to print.
import_finished = Signal()
