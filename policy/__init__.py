"""The send policy: which message goes out now, waits, merges into a newer one, or not at all.

Every module here is pure and deterministic: no I/O, no clock (``now`` is always given),
so the notification workflow can call it inside its sandbox and replays decide the same.
The store and the activities supply the facts (recent sends, consent, preferences); the
rules come from :mod:`config.policy` through the workflow's policy activity.
"""
