"""One module per order source: its signature check and its mapping to milestone events."""
