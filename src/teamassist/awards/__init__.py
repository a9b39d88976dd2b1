"""月度技术专家: a monthly expert selection per team (nominate, vote, close, announce)."""
