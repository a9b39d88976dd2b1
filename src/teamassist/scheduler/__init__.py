"""Jobs declared next to their domain, claimed from the database so none is skipped or repeated."""
