import pytest

from ..factories import UserFactory
from .signing_in import movable_clock


@pytest.fixture
def clock():
    with movable_clock() as clock:
        yield clock


@pytest.fixture
def ivy(db):
    """An intake coordinator with a password and nothing else yet."""
    return UserFactory(username="ivy", first_name="Ivy", roles=["intake_coordinator"])
