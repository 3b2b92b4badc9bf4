"""Keeping customers' contact details out of Temporal's history and out of people's sight."""
