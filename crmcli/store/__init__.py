"""The data directory: layout, YAML codec, atomic writes, locking, the index, git."""
