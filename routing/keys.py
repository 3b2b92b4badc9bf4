"""Outbox keys of a routed SMS: one per provider attempt, each leading back to its message.

Pure: the store (store/message_routes.py), the send activity (activities/routed_send.py)
and the workflow (workflows/sms_send.py) all name attempts with these, so a key one of
them writes is the key the others read.

A message's key owns its route and its first choice's outbox row; any other provider's
attempt has ``<key>@<provider>``, its own row, so each provider sends it at most once.
Its reports lead back to the message through :func:`root_key`.
"""

from __future__ import annotations

from collections.abc import Sequence

SEPARATOR = "@"


def provider_key(message_key: str, provider: str, order: Sequence[str]) -> str:
    """The outbox key of ``provider``'s attempt: the message key for the first choice."""
    if not order or provider == order[0]:
        return message_key
    return attempt_key(message_key, provider)


def attempt_key(message_key: str, provider: str) -> str:
    """The key of a further attempt through ``provider``, never the message's own key.

    The workflow's failover after a failed report uses it even for the route's first
    choice: the message key is taken by then (by the first record and its outbox row)."""
    return f"{message_key}{SEPARATOR}{provider}"


def root_key(key: str) -> str:
    """The message key an attempt's key belongs to."""
    return key.split(SEPARATOR, 1)[0]
