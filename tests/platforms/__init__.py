"""Platform adapters against local fake servers."""
