"""What Twilio's Messages API refuses at create time, as its documentation says.

The sandbox is no kinder than the service it stands for: a body over 1,600 characters
(21617), a ``From`` that is not one of the account's senders (21606; 21212 when it is not
even a number), ``To`` equal to ``From`` (21266), a Messaging Service the account does not
have (21701), a status-callback URL that is not an absolute http(s) URL Twilio can reach
(21609) and any message to a number that texted STOP to the account, until it texts START
(21610: Twilio's own opt-out handling, whatever the sender's application thinks).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_BODY_CHARACTERS = 1600
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
SHORT_CODE = re.compile(r"^\d{3,8}$")
# Twilio's default opt-out and opt-in keywords (Advanced Opt-Out off), matched on the
# whole message, case and surrounding space ignored.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP", "OPTIN"})
# Loopback stands for "the internet" here: the sandbox can reach nothing else, and Herald's
# own start-up check refuses a loopback callback URL with real credentials.
REACHABLE_PRIVATE_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Refusal:
    status: int
    code: int
    message: str


@dataclass
class AccountSenders:
    """The account's phone numbers, short codes and Messaging Services, and who opted out."""

    numbers: set[str]
    services: set[str]
    opted_out: set[str] = field(default_factory=set)  # texted STOP to the account

    @classmethod
    def of(cls, senders: Iterable[str]) -> AccountSenders:
        given = [s for s in senders if s]
        return cls(
            numbers={s for s in given if not s.startswith("MG")},
            services={s for s in given if s.startswith("MG")},
        )

    def hear(self, from_: str, body: str) -> None:
        """An inbound message: STOP and START words change what the account may send."""
        word = body.strip().upper()
        if word in STOP_WORDS:
            self.opted_out.add(from_)
        elif word in START_WORDS:
            self.opted_out.discard(from_)

    def refusal(
        self, *, to: str, from_: str | None, service: str | None, body: str, callback: str | None
    ) -> Refusal | None:
        if len(body) > MAX_BODY_CHARACTERS:
            return Refusal(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        if service is not None and service not in self.services:
            return Refusal(400, 21701, f"The Messaging Service Sid {service} is invalid.")
        if from_:
            if not (E164.match(from_) or SHORT_CODE.match(from_)):
                return Refusal(
                    400, 21212, f"The 'From' number {from_} is not a valid phone number."
                )
            if from_ not in self.numbers:
                return Refusal(
                    400,
                    21606,
                    f"The 'From' phone number provided ({from_}) is not a valid message-capable "
                    "Twilio phone number for this destination/account",
                )
            if from_ == to:
                return Refusal(400, 21266, "'To' and 'From' number cannot be the same")
        if callback is not None and not callback_is_reachable(callback):
            return Refusal(400, 21609, f"The StatusCallback URL {callback} is not a valid URL.")
        if to in self.opted_out:
            return Refusal(400, 21610, "Attempt to send to unsubscribed recipient")
        return None


def callback_is_reachable(url: str) -> bool:
    """An absolute http(s) URL on a public host (or the loopback the sandbox stands on)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    if host in REACHABLE_PRIVATE_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return "." in host and not host.endswith((".local", ".internal", ".localhost", ".lan"))
