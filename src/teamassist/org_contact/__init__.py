"""有事儿找组织: anyone reaches their team's director, named or anonymous, through a relay."""
