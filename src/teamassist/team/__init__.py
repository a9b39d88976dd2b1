"""People: workspaces, teams, members, platform identities, channels and roles."""
