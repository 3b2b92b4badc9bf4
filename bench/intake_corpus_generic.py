"""Generic (Herald's own event JSON) cases of the intake corpus, as OMSs write it."""

from __future__ import annotations

from typing import Any

from bench.intake_corpus_common import Payload, add, set_field

# --- generic --------------------------------------------------------------------------------


def event(milestone: str = "shipped", **changes: Any) -> Payload:
    base: Payload = {
        "event_id": "oms-evt-1",
        "kind": "order",
        "reference": "SO-10001",
        "milestone": milestone,
        "occurred_at": "2026-12-02T11:05:00-05:00",
        "customer": {
            "name": "Ana Lopez",
            "phone": "+14155550123",
            "email": "ana.lopez@example.com",
            "locale": "en-US",
            "time_zone": "America/New_York",
        },
        "shipment": {"carrier": "UPS", "tracking_id": "1Z999AA10123456784"},
    }
    for key, value in changes.items():
        set_field(base, key, value)
    return base


def generic() -> None:
    default, sms_only = "default", "acme-oms"
    order_steps = (
        "confirmed",
        "shipped",
        "out_for_delivery",
        "delayed",
        "delivery_attempted",
        "exception",
        "delivered",
    )
    for i, milestone in enumerate(order_steps):
        add(
            "generic",
            default,
            "event",
            f"{milestone}",
            "sms",
            "a complete event",
            event(milestone, event_id=f"e{i}"),
        )
    for i, milestone in enumerate(("received", "inspected", "refund_processed", "resolved")):
        add(
            "generic",
            default,
            "event",
            f"return-{milestone}",
            "email",
            "a return's milestone for a customer with an e-mail only",
            event(
                milestone,
                kind="return",
                reference=f"RMA-{i}",
                shipment=None,
                customer__phone=None,
                refund={"amount": "59.90", "currency": "USD"},
            ),
        )
    for typed in (
        "+1 415 555 0123",
        "+1 (415) 555-0123",
        "+1-415-555-0123 x12",
        "+44 7400 123456",
        "+49 151 23456789",
    ):
        add(
            "generic",
            default,
            "event",
            "phone-formatting",
            "sms",
            f"phone {typed!r}: international, formatted",
            event(customer__phone=typed),
        )
    add(
        "generic",
        default,
        "event",
        "no-email",
        "sms",
        "no e-mail: SMS only",
        event(customer__email=None),
    )
    add(
        "generic",
        default,
        "event",
        "no-phone",
        "email",
        "no phone: e-mail only",
        event(customer__phone=None),
    )
    add(
        "generic",
        default,
        "event",
        "bad-email",
        "sms",
        "a broken e-mail beside a phone",
        event(customer__email="ana.example.com"),
    )
    add(
        "generic",
        default,
        "event",
        "bad-phone",
        "email",
        "a broken phone beside an e-mail",
        event(customer__phone="+1 555"),
    )
    add(
        "generic",
        default,
        "event",
        "local-phone-no-region",
        "email",
        "a local phone and no region to read it in (the account sets none): the e-mail",
        event(customer__phone="(415) 555-0123"),
    )
    add(
        "generic",
        default,
        "event",
        "nobody",
        "refused",
        "no phone, no e-mail",
        event(customer__phone=None, customer__email=None),
    )
    add(
        "generic",
        default,
        "event",
        "no-customer",
        "refused",
        "no customer at all",
        event(customer=None),
    )
    add(
        "generic",
        default,
        "event",
        "no-name",
        "sms",
        "the OMS sends no name: greeted without one",
        event(customer__name=None),
    )
    add(
        "generic",
        default,
        "event",
        "empty-name",
        "sms",
        "an empty name: greeted without one",
        event(customer__name=""),
    )
    add(
        "generic",
        default,
        "event",
        "capitalised-milestone",
        "sms",
        "milestone 'Shipped': the same milestone, written with a capital",
        event("Shipped"),
    )
    add(
        "generic",
        default,
        "event",
        "dashed-milestone",
        "sms",
        "milestone 'out-for-delivery': the same milestone, written with dashes",
        event("out-for-delivery"),
    )
    add(
        "generic",
        default,
        "event",
        "unknown-milestone",
        "refused",
        "milestone 'picked_up' means nothing to Herald: kept until a mapping says",
        event("picked_up"),
    )
    add(
        "generic",
        default,
        "event",
        "wrong-kind",
        "refused",
        "a return milestone on an order: the OMS contradicts itself",
        event("refund_processed"),
    )
    add(
        "generic",
        default,
        "event",
        "long-detail",
        "sms",
        "a detail of 800 characters: cut, not refused",
        event("delayed", detail="Held at the depot. " * 42),
    )
    add(
        "generic",
        default,
        "event",
        "extra-fields",
        "sms",
        "fields Herald does not read (channel, total) beside a valid event",
        event(channel="web", order_total="59.90", tags=["vip"]),
    )
    add(
        "generic",
        default,
        "event",
        "no-event-id",
        "sms",
        "no event id: one is made from the order and the milestone, as for Shopify",
        event(event_id=None),
    )
    add(
        "generic",
        default,
        "event",
        "naive-time",
        "refused",
        "a time without its offset: which day it happened depends on a zone nobody said",
        event(occurred_at="2026-12-02T11:05:00"),
    )
    add(
        "generic",
        "berlin-oms",
        "event",
        "local-time-in-zone",
        "sms",
        "a time without its offset from an account whose time_zone says where it is",
        event(occurred_at="2026-12-02T11:05:00"),
    )
    add("generic", default, "event", "no-time", "refused", "no time", event(occurred_at=None))
    add(
        "generic",
        default,
        "event",
        "bad-reference",
        "refused",
        "a reference with spaces and a slash cannot name a workflow",
        event(reference="SO 10001/2"),
    )
    add("generic", default, "event", "not-an-object", "refused", "a JSON list", [event()])
    for i, typed in enumerate(
        ("07400 123456", "07400 123 456", "+44 7400 123456", "0044 7400 123456")
    ):
        add(
            "generic",
            sms_only,
            "event",
            "uk-mobile",
            "sms",
            f"{typed!r}: a UK mobile, read in the account's default region GB",
            event(event_id=f"u{i}", customer__phone=typed, customer__email=None),
        )
    add(
        "generic",
        sms_only,
        "event",
        "email-only",
        "refused",
        "the account notifies by SMS only and the customer has an e-mail only",
        event(customer__phone=None),
    )
    add(
        "generic",
        sms_only,
        "event",
        "bad-phone-with-email",
        "refused",
        "an SMS-only account, a phone that is none, an e-mail it does not use",
        event(customer__phone="12"),
    )
    add(
        "generic",
        sms_only,
        "event",
        "long-detail",
        "sms",
        "a long detail, cut to the account's 160 characters",
        event("delayed", detail="Held at the depot. " * 20),
    )
    add(
        "generic",
        sms_only,
        "event",
        "no-name",
        "sms",
        "no name",
        event(customer__name=None, customer__phone="07400 123456"),
    )
