"""Preferences and SMS consent over HTTP, for the brand's account pages and support tools.

Phone numbers and e-mail addresses travel only in request bodies, never in a path or a
query string, so access logs hold none; answers show them masked. Every route requires
``Authorization: Bearer <token>`` (api/auth.py), open only on a loopback dev service.

Consent changes come from the customer's own messages (``/consent/reply`` and the inbound
webhook, applied over anything), the retailer's authenticated ``PUT /consent`` (applied
over older changes only, and never dated in the future) and the CLI.

- ``POST /preferences/lookup`` ``{"phone"?, "email"?}``: every type on every channel, on or off
- ``PUT /preferences`` ``{"contact", "notification_type", "channel", "enabled"}``
- ``POST /consent/lookup`` ``{"phone"}``: whether the number may be texted
- ``PUT /consent`` ``{"phone", "state", "keyword"?, "source"?}``
- ``POST /consent/reply`` ``{"phone", "text", "locale"?}``: apply a STOP/START/HELP reply
  and return the answer to text back (the inbound SMS webhook's core)
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Self

from fastapi import APIRouter, Depends, HTTPException
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, model_validator

from api.auth import require_credential
from api.bodies import RequestBody
from config.policy import PolicySettings, get_policy_settings
from config.settings import Settings
from domain.phone import InvalidPhoneNumber, mask_email, mask_phone, normalize_e164
from domain.timeline import Channel
from messaging.brand import Brand, default_brand
from policy.channels import ConsentState
from policy.keywords import KeywordIntent, classify_reply, reply_language, reply_text
from policy.notification_types import CriticalNotificationError, critical_types
from policy.rules import PolicyRules
from store.consent import ConsentRecord, SmsConsent
from store.database import make_session_factory
from store.preferences import NotificationPreferences, Preference
from store.repository import Store

_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A caller's clock may run a little ahead of ours; further ahead is a date in the future.
CLOCK_SKEW = timedelta(seconds=60)
# Sources only Herald itself records: a caller cannot pass its change off as the customer's.
RESERVED_SOURCES = frozenset({"sms_reply", "cli"})


def _phone(value: str) -> str:
    try:
        return normalize_e164(value)
    except InvalidPhoneNumber as exc:
        raise ValueError(str(exc)) from None


def _email(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL_SHAPE.match(value) or len(value) > 320:
        raise ValueError(f"{mask_email(value)!r} is not an e-mail address")
    return value


def _contact(value: str) -> str:
    return _email(value) if "@" in value else _phone(value)


def _masked(contact: str) -> str:
    return mask_email(contact) if "@" in contact else mask_phone(contact)


Phone = Annotated[str, AfterValidator(_phone)]
Email = Annotated[str, AfterValidator(_email)]
Contact = Annotated[str, AfterValidator(_contact)]  # an E.164 number or an e-mail address


class CustomerLookup(RequestBody):
    phone: Phone | None = None
    email: Email | None = None

    @model_validator(mode="after")
    def _someone(self) -> Self:
        if not (self.phone or self.email):
            raise ValueError("give a phone number, an e-mail address or both")
        return self


class PreferenceChange(RequestBody):
    contact: Contact
    notification_type: str
    channel: Channel
    enabled: bool


class PreferenceView(BaseModel):
    notification_type: str
    channel: Channel
    enabled: bool
    critical: bool  # always on, whatever was asked
    source: str | None = None  # None: never set, on by default
    updated_at: datetime | None = None


class PreferencesView(BaseModel):
    customer: list[str]  # masked contacts
    preferences: list[PreferenceView]


class ConsentLookup(RequestBody):
    phone: Phone


class ConsentChange(RequestBody):
    phone: Phone
    state: ConsentState
    keyword: str | None = Field(default=None, max_length=40)
    source: str = Field(default="api", min_length=1, max_length=40)
    # When the customer said it (an import of older changes); default: now. Never in the
    # future, and a change dated before the number's current one does not replace it.
    at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _believable(self) -> Self:
        if self.source.strip().lower() in RESERVED_SOURCES:
            raise ValueError(f"source {self.source!r} is reserved for Herald's own records")
        if self.at is not None and self.at > datetime.now(UTC) + CLOCK_SKEW:
            raise ValueError("'at' is in the future: a consent change is dated when it was made")
        return self


class ConsentView(BaseModel):
    phone: str  # masked
    may_text: bool
    state: ConsentState | None = None  # None: the number never said STOP or START
    keyword: str | None = None
    source: str | None = None
    changed_at: datetime | None = None


class KeywordReply(RequestBody):
    phone: Phone
    text: str = Field(max_length=1600)
    locale: str | None = None


class KeywordOutcome(BaseModel):
    keyword: str | None  # None: not a keyword; nothing changed, nothing to answer
    intent: KeywordIntent | None = None
    reply: str | None = None  # what to text back
    consent: ConsentView


def create_preferences_router(
    store: Store,
    settings: Settings,
    policy: PolicySettings | None = None,
    brand: Brand | None = None,
) -> APIRouter:
    policy = policy or get_policy_settings()
    rules = policy.rules()
    brand = brand or default_brand()
    sessions = make_session_factory(store.engine)
    preferences, consent = NotificationPreferences(sessions), SmsConsent(sessions)
    router = APIRouter(dependencies=[Depends(require_credential(settings))])

    @router.post("/preferences/lookup")
    def lookup_preferences(body: CustomerLookup) -> PreferencesView:
        chosen = preferences.for_customer(body.phone, body.email)
        return _preferences_view([c for c in (body.phone, body.email) if c], chosen, rules)

    @router.put("/preferences")
    def change_preference(body: PreferenceChange) -> PreferenceView:
        if body.notification_type not in rules.notification_types:
            known = ", ".join(sorted(rules.notification_types))
            raise HTTPException(422, f"unknown notification type (known: {known})")
        try:
            saved = preferences.set(
                body.contact,
                body.notification_type,
                body.channel,
                body.enabled,
                critical_types=critical_types(rules),
                at=datetime.now(UTC),
                source="api",
            )
        except CriticalNotificationError as exc:
            raise HTTPException(422, str(exc)) from None
        return PreferenceView(
            **saved.__dict__, critical=saved.notification_type in critical_types(rules)
        )

    @router.post("/consent/lookup")
    def lookup_consent(body: ConsentLookup) -> ConsentView:
        return _consent_view(body.phone, consent.get(body.phone))

    @router.put("/consent")
    def change_consent(body: ConsentChange) -> ConsentView:
        now = datetime.now(UTC)
        at = min(body.at, now) if body.at else now  # within the skew: as of now
        current = consent.record(
            body.phone, body.state, at=at, source=body.source, keyword=body.keyword
        )
        return _consent_view(body.phone, current)

    @router.post("/consent/reply")
    def apply_reply(body: KeywordReply) -> KeywordOutcome:
        return apply_keyword_reply(consent, body, brand)

    return router


def apply_keyword_reply(consent: SmsConsent, body: KeywordReply, brand: Brand) -> KeywordOutcome:
    """What STOP, START and HELP do, for ``/consent/reply`` and the inbound SMS webhook.

    The customer's own message: applied over any other change (store/consent.py), so the
    answer ("you are unsubscribed") is always true.
    """
    match = classify_reply(body.text)
    if match is None:
        return KeywordOutcome(
            keyword=None, consent=_consent_view(body.phone, consent.get(body.phone))
        )
    current = consent.get(body.phone)
    if match.intent is not KeywordIntent.HELP:
        state = (
            ConsentState.OPTED_OUT
            if match.intent is KeywordIntent.OPT_OUT
            else ConsentState.OPTED_IN
        )
        current = consent.record(
            body.phone,
            state,
            at=datetime.now(UTC),
            source="sms_reply",
            keyword=match.keyword,
            authoritative=True,
        )
    language = reply_language(match, body.locale)
    return KeywordOutcome(
        keyword=match.keyword,
        intent=match.intent,
        reply=reply_text(match.intent, brand, language),
        consent=_consent_view(body.phone, current),
    )


def _preferences_view(
    contacts: list[str], chosen: list[Preference], rules: PolicyRules
) -> PreferencesView:
    critical = critical_types(rules)
    by_key = {(c.notification_type, c.channel): c for c in chosen}
    views = []
    for notification_type in sorted(rules.notification_types):
        for channel in Channel:
            choice = by_key.get((notification_type, channel))
            views.append(
                PreferenceView(
                    notification_type=notification_type,
                    channel=channel,
                    enabled=notification_type in critical or choice is None or choice.enabled,
                    critical=notification_type in critical,
                    source=choice.source if choice else None,
                    updated_at=choice.updated_at if choice else None,
                )
            )
    return PreferencesView(customer=[_masked(c) for c in contacts], preferences=views)


def _consent_view(phone: str, record: ConsentRecord | None) -> ConsentView:
    if record is None:
        return ConsentView(phone=mask_phone(phone), may_text=True)
    return ConsentView(
        phone=mask_phone(phone),
        may_text=not record.opted_out,
        state=record.state,
        keyword=record.keyword,
        source=record.source,
        changed_at=record.changed_at,
    )
