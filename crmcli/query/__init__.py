"""Finding records: name resolution and (later) the query language shared by every list."""
