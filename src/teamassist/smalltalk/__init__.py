"""Small talk: an optional OpenAI-compatible chat provider answers 1:1 messages nobody else did."""
