"""Every write to case work. Split by subject; import from the submodules."""
