"""People: users, roles, API tokens, web sessions, sign-in limits and the audit trail."""
