"""People: users, roles, regions, sessions (sign-in)."""
