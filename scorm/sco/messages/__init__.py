"""UI message catalogs of the SCO, one JSON file per language."""
