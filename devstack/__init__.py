"""The embedded stack for development, tests and benchmarks: real processes on this machine."""
