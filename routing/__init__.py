"""Which SMS provider sends a message: rules, measurements, circuit breakers, failover.

Pure: no I/O. The measurements come from the store (store/route_measurements.py) and the
choice goes back to the caller with its scores and reason.
"""
