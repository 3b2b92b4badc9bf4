"""The ``herald`` command line."""
