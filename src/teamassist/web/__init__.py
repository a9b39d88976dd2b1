"""The HTTP side: REST API under /api/v1, the dashboard and the web chat."""
