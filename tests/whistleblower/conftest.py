"""Fixtures for the police employees' reports (the whistleblower channel).

Here the personas' ``complaint`` is a police employee's report, filed through the public form by a
named civilian employee who fears retaliation (tests/whistleblower/flow.py holds what they typed),
so the root conftest's ``assigned_investigator`` and ``recused_board_member`` are about it.
"""

import pytest
from django.test import Client

# Every logger at DEBUG, SQL included (the resident's anonymity test's fixture).
from tests.public_portal.test_anonymity import every_log  # noqa: F401

from .flow import Filing, file_report


@pytest.fixture
def complaint(db):
    return file_report(Client(), Filing())
