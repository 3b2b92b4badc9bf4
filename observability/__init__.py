"""What the people who run Herald see of it: logs, traces, metrics, health (a file each)."""
