"""1on1s: a recurring slot per pair, a shared agenda, private notes, a prep pack."""
