"""Herald's HTTP service: provider webhooks and health."""
