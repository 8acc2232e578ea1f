"""How a status code is stored and checked.

A status code is 60 random bits, not a password a person chose: nothing is gained by a slow
password hash. A keyed HMAC-SHA256 cannot be tried offline without ``STATUS_CODE_KEY`` and costs
microseconds, where PBKDF2 cost a third of a second of CPU per lookup and made the public status
page an easy way to tie up the server.

Codes stored before the HMAC form are Django password hashes (``pbkdf2_sha256$…``). They are
still checked, at their old cost, and rewritten in the HMAC form after the first right answer.
"""

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.hashers import check_password

PREFIX = "hmac-sha256$"
# Compared against when nothing is stored (no such complaint, or no code issued), so a wrong
# tracking number costs the same HMAC as a wrong code.
_NOTHING_STORED = PREFIX + "0" * 64


def normalise_status_code(code: str) -> str:
    """Upper case, letters and digits only: ``k7qm 2xpd-9tra`` is ``K7QM2XPD9TRA``."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def status_code_digest(code: str) -> str:
    """The stored form of ``code``: ``hmac-sha256$<hex>`` keyed with ``settings.STATUS_CODE_KEY``."""
    mac = hmac.new(settings.STATUS_CODE_KEY.encode(), normalise_status_code(code).encode(), hashlib.sha256)
    return PREFIX + mac.hexdigest()


def status_code_matches(code: str, stored: str | None) -> bool:
    """Whether ``code`` is the code ``stored`` was made from.

    The HMAC form is compared in constant time, and an empty ``stored`` still computes and
    compares one, so the answer takes as long whether or not there was anything to match. A
    legacy password hash costs what its hasher costs (PBKDF2), until it is upgraded.
    """
    if is_legacy(stored):
        return check_password(normalise_status_code(code), stored)
    expected = (stored or _NOTHING_STORED).encode()
    return hmac.compare_digest(status_code_digest(code).encode(), expected) and bool(stored)


def is_legacy(stored: str | None) -> bool:
    """A code stored as a Django password hash, from before the HMAC form."""
    return bool(stored) and not stored.startswith(PREFIX)
