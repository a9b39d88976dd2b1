"""The OKR desk: cycles, objectives and key results, alignment, check-ins and scores."""
