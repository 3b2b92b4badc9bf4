"""Herald's local sandbox: a Twilio-compatible Messages API, an SMTP sink and a push sink.

Start it with ``python -m sandbox``, or build the app with ``create_sandbox_app``.
"""

from sandbox.app import create_sandbox_app
from sandbox.rules import DestinationRule, RuleBook

__all__ = ["DestinationRule", "RuleBook", "create_sandbox_app"]
