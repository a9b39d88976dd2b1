"""The HTTP kit below every router: request dependencies, sign-in, error shapes, page rendering."""
