from django.contrib.auth.hashers import MD5PasswordHasher

calls: list[str] = []


class CountingHasher(MD5PasswordHasher):
    """The tests' hasher, counting every hash it computes (checking a password computes one too)."""

    def encode(self, password, salt):
        calls.append("hash")
        return super().encode(password, salt)
