"""Vector index: vectors, filter columns, persistence as a directory with a manifest, search planning."""
