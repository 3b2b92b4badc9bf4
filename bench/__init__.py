"""Herald's benchmark: ``python -m bench.milestones`` (``make bench``)."""
