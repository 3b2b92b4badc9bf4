"""Intake: every order source's payloads to Herald's milestone events, durably (docs/intake.md)."""
