"""Which sender identity a provider uses for a destination country, and its pace.

Each provider has its own senders (long codes, toll-free numbers, short codes, an
alphanumeric sender id, a Twilio messaging service), configured per country in
config/routing.toml. An alphanumeric id is used only where the country accepts one
without registration: the US, Canada and Brazil, among others, reject or rewrite it, so a
provider whose only sender there is alphanumeric has no route there. The throughput of
each sender is the one the send limiter already enforces (store/send_window.py), keyed by
the sender's value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from providers.sms_provider import ProviderName

SenderKind = Literal["long_code", "toll_free", "short_code", "alphanumeric", "messaging_service"]

# Countries that take an alphanumeric sender id as it is (no pre-registration): a
# conservative list; a country left out simply gets no alphanumeric sender.
ALPHANUMERIC_COUNTRIES = frozenset(
    {
        "GB",
        "DE",
        "FR",
        "ES",
        "IT",
        "NL",
        "BE",
        "AT",
        "CH",
        "SE",
        "NO",
        "DK",
        "FI",
        "IE",
        "PT",
        "PL",
        "AU",
        "NZ",
        "ZA",
    }
)
# Carriers' usual pace per sender kind (messages a second) when the sender names none.
DEFAULT_PACE = {
    "long_code": 1.0,
    "toll_free": 3.0,
    "short_code": 100.0,
    "alphanumeric": 10.0,
    "messaging_service": 10.0,
}


class SenderIdentity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: ProviderName
    country: str = "*"
    kind: SenderKind
    value: str = Field(min_length=1, max_length=34)
    messages_per_second: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _alphanumeric_ids_are_short(self) -> SenderIdentity:
        if self.kind == "alphanumeric" and not (
            self.value.replace(" ", "").isalnum() and len(self.value) <= 11
        ):
            raise ValueError("an alphanumeric sender id has at most 11 letters and digits")
        return self

    @property
    def pace(self) -> float:
        return self.messages_per_second or DEFAULT_PACE[self.kind]

    def serves(self, country: str) -> bool:
        if self.country not in ("*", country):
            return False
        return self.kind != "alphanumeric" or country in ALPHANUMERIC_COUNTRIES


def sender_for(
    provider: ProviderName, country: str, senders: Sequence[SenderIdentity]
) -> SenderIdentity | None:
    """The provider's sender for the country: one named for it before a ``*`` one, and among
    equals the one listed first; None when the provider has none usable there."""
    usable = [s for s in senders if s.provider == provider and s.serves(country)]
    named = [s for s in usable if s.country == country]
    return (named or usable or [None])[0]
