"""Local fake servers that speak each platform's HTTP API."""
