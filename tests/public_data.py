"""Where the tests find the real public complaint data they read (Philadelphia's Complaints Against
Police, July 2018 release). It is kept beside the project, never in it: ``../shared/data`` from the
project's folder, or the folder ``PHILADELPHIA_DATA`` names. A checkout without it skips the tests
that read it, in CI too: the data is not a service CI can start, and it may not be copied here."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PHILADELPHIA = Path(os.environ.get("PHILADELPHIA_DATA") or ROOT.parent / "shared" / "data" / "philadelphia-ppd")

needs_philadelphia = pytest.mark.skipif(
    not (PHILADELPHIA / "ppd_complaints_7-18.csv").exists(),
    reason=f"Philadelphia's public data is not at {PHILADELPHIA.name} beside the project (set PHILADELPHIA_DATA)",
)
