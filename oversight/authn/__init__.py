"""Staff sign-in: the second factor, lockout, password reset and change, and session limits."""
