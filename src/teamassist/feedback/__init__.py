"""The feedback desk (反馈): community bugs and suggestions, routed to the people on duty."""
