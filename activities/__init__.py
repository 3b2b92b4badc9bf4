"""Everything Herald does to the outside world. Workflows decide; these act."""
