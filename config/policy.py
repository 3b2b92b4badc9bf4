"""Send-policy settings: ``HERALD_*`` variables over the defaults in :mod:`policy.rules`.

Maps take JSON or one variable per entry (``__`` between levels); an entry you set
replaces only that entry's default::

    HERALD_SENDING_WINDOW='{"start": "08:00", "end": "20:00"}'
    HERALD_SENDING_WINDOWS_BY_COUNTRY__FR__END=20:00
    HERALD_NOTIFICATION_TYPES='{"order_progress": {"frequency_cap": {"max_messages": 3}}}'
    HERALD_SENDER_LIMITS__SHORT_CODE__MESSAGES_PER_SECOND=30
    HERALD_SENDER_OVERRIDES='{"MG0123...": {"messages_per_second": 10, "daily_cap": 50000}}'
    HERALD_COALESCING__OUT_FOR_DELIVERY__HOLD_SECONDS=900

Kept apart from :mod:`config.settings` like :mod:`config.messaging`; the worker hands
:meth:`PolicySettings.rules` to the workflow through its policy activity.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import PrivateAttr
from pydantic_settings import BaseSettings, SettingsConfigDict

from policy.rules import PolicyRules


class PolicySettings(BaseSettings, PolicyRules):
    model_config = SettingsConfigDict(
        env_prefix="HERALD_", env_file=".env", env_nested_delimiter="__", extra="ignore"
    )

    _rules: PolicyRules | None = PrivateAttr(default=None)

    def rules(self) -> PolicyRules:
        """The rules alone, as a plain model that travels through workflow history.

        Built once: activities ask for them on every send, and building one validates
        every entry again. Treat the result as read-only.
        """
        if self._rules is None:
            fields = set(PolicyRules.model_fields)
            self._rules = PolicyRules.model_validate(self.model_dump(include=fields))
        return self._rules


@lru_cache
def get_policy_settings() -> PolicySettings:
    return PolicySettings()
