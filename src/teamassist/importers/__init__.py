"""Importers that bring another system's data into a workspace once (``models.ImportSource``)."""
