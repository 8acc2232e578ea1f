"""Staff accounts: who holds which role, granted by a supervisor, and the guard that keeps every
other path (the admin above all) from making an account able to read a case."""
