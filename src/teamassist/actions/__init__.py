"""销项: action items with an owner and a requester that really close (issue 13)."""
