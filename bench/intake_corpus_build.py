"""Writes the intake corpus (``tests/corpora/intake/*.json``) from Shopify's documented
webhook payloads (the fixtures in tests/intake/payloads/shopify, which follow the Admin
REST examples) and Herald's own event JSON, varied the ways real stores vary them: phones
typed locally, with dots, spaces, extensions or on another address; guest checkouts; no
names; other countries and locales; point-of-sale, draft and test orders; cancelled
fulfillments; statuses no milestone tells.

Each case is labelled by hand with what SHOULD happen and why, from the account's rules in
``tests/corpora/intake/accounts.toml``, never by running the mapping: ``sms`` (kept with a
phone), ``email`` (kept with an e-mail and no phone), ``ignored`` (nothing to tell, not a
failure) or ``refused`` (cannot be notified: a dead letter). ``python -m
bench.intake_corpus_build`` rewrites the files; ``python -m bench.intake_corpus`` judges them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "intake" / "payloads" / "shopify"
CORPUS = ROOT / "tests" / "corpora" / "intake"

US = "scarves-and-co.myshopify.com"  # rules: default region US
DE = "kaffeehaus.myshopify.com"  # DE, AT, CH phones only; landlines dropped
FR = "boutique-lumiere.myshopify.com"  # no out-for-delivery or attempted-delivery texts
SHOPS = {US: ("US", "en-US"), DE: ("DE", "de-DE"), FR: ("FR", "fr-FR")}

Payload = dict[str, Any]
cases: list[dict[str, Any]] = []


def fixture(name: str) -> Payload:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def add(
    source: str,
    account: str,
    topic: str,
    name: str,
    expect: str,
    why: str,
    payload: Any,
    order_customer: dict[str, Any] | None = None,
) -> None:
    case_id = f"{source}-{len([c for c in cases if c['source'] == source]) + 1:03d}-{name}"
    case: dict[str, Any] = {"id": case_id, "source": source, "account": account}
    case |= {"topic": topic, "expect": expect, "why": why, "payload": payload}
    if order_customer is not None:
        case["order_customer"] = order_customer
    cases.append(case)


# --- Shopify orders/create ------------------------------------------------------------------


def order(shop: str, *, n: int, **changes: Any) -> Payload:
    """The documented order, for ``shop``'s country, with no contact until one is set."""
    base = fixture("orders_create_us_local_phone")
    country, locale = SHOPS[shop]
    base["id"] = 5610000002000 + n
    base["name"] = f"#{2000 + n}"
    base["customer_locale"] = locale
    base["email"] = base["contact_email"] = None
    base["customer"]["email"] = None
    for address in ("shipping_address", "billing_address"):
        base[address]["phone"] = None
        base[address]["country_code"] = country
    for key, value in changes.items():
        _set(base, key, value)
    return base


def _set(payload: Payload, dotted: str, value: Any) -> None:
    *path, last = dotted.split("__")
    for part in path:
        payload = payload[part]
    payload[last] = value


LOCAL_PHONES = [  # (shop, shipping country, as typed, why it can be texted)
    (US, "US", "(415) 555-0123", "US format with parentheses"),
    (US, "US", "415.555.0123", "dots"),
    (US, "US", "415 555 0123", "spaces"),
    (US, "US", "1-415-555-0123", "with the trunk 1"),
    (US, "US", "4155550123", "bare digits"),
    (US, "US", "(415) 555-0123 ext. 204", "an extension, which an SMS ignores"),
    (US, "US", "415-555-0123 x12", "an x extension"),
    (US, "US", "+1 415 555 0123", "international form"),
    (US, "CA", "(506) 234-5678", "a Canadian address"),
    (US, "GB", "07400 123456", "a UK mobile typed locally"),
    (US, "MX", "222 123 4567", "a Mexican number"),
    (US, "BR", "(11) 96123-4567", "a Brazilian mobile"),
    (US, "JP", "090-1234-5678", "a Japanese mobile"),
    (US, "AU", "0412 345 678", "an Australian mobile"),
    (US, "IN", "081234 56789", "an Indian mobile"),
    (US, "PL", "512 345 678", "a Polish mobile"),
    (US, "SE", "070-123 45 67", "a Swedish mobile"),
    (DE, "DE", "0151 23456789", "a German mobile typed locally"),
    (DE, "DE", "0049 151 23456789", "00 and the country code"),
    (DE, "DE", "+49 (0)151 23456789", "+49 with the (0) people add"),
    (DE, "AT", "0664 1234567", "an Austrian mobile, an allowed country"),
    (DE, "CH", "078 123 45 67", "a Swiss mobile, an allowed country"),
    (FR, "FR", "06 12 34 56 78", "a French mobile in pairs"),
    (FR, "FR", "+33 (0)6 12 34 56 78", "+33 with the (0)"),
    (FR, "BE", "0470 12 34 56", "a Belgian mobile"),
    (FR, "ES", "612 34 56 78", "a Spanish mobile"),
    (FR, "IT", "312 345 6789", "an Italian mobile"),
    (FR, "NL", "06 12345678", "a Dutch mobile"),
]


def shopify_orders() -> None:
    n = 0
    for shop, country, typed, why in LOCAL_PHONES:
        n += 1
        # Most shoppers type the phone on the address; some checkouts ask for it apart.
        where = "phone" if n % 3 == 0 else "shipping_address__phone"
        add(
            "shopify",
            shop,
            "orders/create",
            f"local-phone-{country.lower()}",
            "sms",
            f"phone {typed!r} ({why}), read in the shipping address's country",
            order(shop, n=n, shipping_address__country_code=country, **{where: typed}),
        )
    for shop in SHOPS:
        n += 1
        add(
            "shopify",
            shop,
            "orders/create",
            "email-only",
            "email",
            "no phone anywhere, an e-mail: goes by e-mail",
            order(shop, n=n, email="guest@example.com", contact_email="guest@example.com"),
        )
        n += 1
        add(
            "shopify",
            shop,
            "orders/create",
            "guest-checkout",
            "sms",
            "guest checkout (no customer record): the checkout's e-mail and the address's phone",
            order(
                shop,
                n=n,
                customer=None,
                email="guest@example.com",
                shipping_address__phone=_mobile(shop),
            ),
        )
        n += 1
        nameless = order(
            shop, n=n, customer=None, email="x@example.com", shipping_address__phone=_mobile(shop)
        )
        for address in ("shipping_address", "billing_address"):
            nameless[address].update(first_name=None, last_name=None, name=None)
        add(
            "shopify",
            shop,
            "orders/create",
            "no-names",
            "sms",
            "no name anywhere: greeted without one, still notified",
            nameless,
        )
        n += 1
        add(
            "shopify",
            shop,
            "orders/create",
            "nobody",
            "refused",
            "an online order with no phone and no e-mail: nobody to notify",
            order(shop, n=n),
        )
        n += 1
        add(
            "shopify",
            shop,
            "orders/create",
            "test-order",
            "sms",
            "a test order (test: true): the merchant trying the flow expects the text",
            order(shop, n=n, test=True, gateway="bogus", shipping_address__phone=_mobile(shop)),
        )
        n += 1
        add(
            "shopify",
            shop,
            "orders/create",
            "bad-phone-with-email",
            "email",
            "a phone too short to be one, and an e-mail: the phone is dropped",
            order(shop, n=n, email="a@example.com", shipping_address__phone="555-0123"),
        )
        n += 1
        add(
            "shopify",
            shop,
            "orders/create",
            "bad-phone-alone",
            "refused",
            "a phone too short to be one and no e-mail: nobody reachable",
            order(shop, n=n, shipping_address__phone="12345"),
        )
        n += 1
        add(
            "shopify",
            shop,
            "orders/create",
            "bad-email-with-phone",
            "sms",
            "an e-mail with no domain and a good phone: the e-mail is dropped",
            order(shop, n=n, email="ana@", shipping_address__phone=_mobile(shop)),
        )
        n += 1
        add(
            "shopify",
            shop,
            "orders/create",
            "customer-phone-only",
            "sms",
            "the phone is only on the customer record, in international form",
            order(shop, n=n, customer__phone=_e164(shop)),
        )
        n += 1
        add(
            "shopify",
            shop,
            "orders/create",
            "pos-walk-in",
            "ignored",
            "a point-of-sale sale with no customer: nothing to tell anyone, not a failure",
            order(
                shop,
                n=n,
                source_name="pos",
                customer=None,
                shipping_address=None,
                billing_address=None,
                location_id=905684977,
            ),
        )
        n += 1
        add(
            "shopify",
            shop,
            "orders/create",
            "pos-with-email",
            "email",
            "a point-of-sale order whose customer left an e-mail for the receipt",
            order(shop, n=n, source_name="pos", shipping_address=None, email="walkin@example.com"),
        )
        n += 1
        add(
            "shopify",
            shop,
            "orders/create",
            "draft-order",
            "email",
            "an order made from a draft by staff, with the customer's e-mail",
            order(shop, n=n, source_name="shopify_draft_order", email="b2b@example.com"),
        )
        n += 1
        add(
            "shopify",
            shop,
            "orders/create",
            "phone-on-billing-only",
            "sms",
            "no shipping address (nothing to ship); the phone is on the billing address",
            order(shop, n=n, shipping_address=None, billing_address__phone=_mobile(shop)),
        )
        n += 1
        local_delivery = order(shop, n=n, email="c@example.com")
        local_delivery["shipping_lines"][0].update(
            code="Local Delivery", title="Local Delivery", phone=_e164(shop)
        )
        add(
            "shopify",
            shop,
            "orders/create",
            "local-delivery-phone",
            "sms",
            "local delivery: the contact phone is on the shipping line, as Shopify puts it",
            local_delivery,
        )
        n += 1
        add(
            "shopify",
            shop,
            "orders/create",
            "no-country-anywhere",
            "sms",
            "a local phone and addresses without country codes: the shop's default region",
            order(
                shop,
                n=n,
                shipping_address__country_code=None,
                billing_address__country_code=None,
                shipping_address__phone=_mobile(shop),
            ),
        )
    for locale in ("fr-CA", "pt-BR", "zh-CN", "es-419", "ar", "ja"):
        n += 1
        add(
            "shopify",
            US,
            "orders/create",
            f"locale-{locale}",
            "sms",
            f"customer_locale {locale!r}: any locale is kept for the templates to resolve",
            order(US, n=n, customer_locale=locale, shipping_address__phone="(415) 555-0123"),
        )
    n += 1
    gift = order(
        US,
        n=n,
        shipping_address__country_code="FR",
        billing_address__country_code="GB",
        shipping_address__phone="07400 123456",
    )
    add(
        "shopify",
        US,
        "orders/create",
        "gift-abroad",
        "sms",
        "a UK buyer's mobile typed locally on a gift to France: read in the billing country",
        gift,
    )
    n += 1
    add(
        "shopify",
        DE,
        "orders/create",
        "landline-with-email",
        "email",
        "a Berlin landline (no SMS reaches it; the shop drops landlines) and an e-mail",
        order(DE, n=n, shipping_address__phone="030 901820", email="lea@example.de"),
    )
    n += 1
    add(
        "shopify",
        DE,
        "orders/create",
        "landline-alone",
        "refused",
        "only a Berlin landline, which the shop does not text, and no e-mail",
        order(DE, n=n, shipping_address__phone="030 901820"),
    )
    n += 1
    add(
        "shopify",
        DE,
        "orders/create",
        "foreign-mobile-with-email",
        "email",
        "a French mobile: the shop texts DE, AT and CH only, so its e-mail",
        order(DE, n=n, shipping_address__phone="+33 6 12 34 56 78", email="a@example.fr"),
    )
    n += 1
    add(
        "shopify",
        DE,
        "orders/create",
        "foreign-mobile-alone",
        "refused",
        "a French mobile the shop does not text, and no e-mail",
        order(DE, n=n, shipping_address__phone="+33 6 12 34 56 78"),
    )
    n += 1
    add(
        "shopify",
        FR,
        "orders/create",
        "fr-landline-kept",
        "sms",
        "a Paris landline: this shop keeps landlines (the SMS is tried, then the fallback)",
        order(FR, n=n, shipping_address__phone="01 23 45 67 89"),
    )
    n += 1
    add(
        "shopify",
        US,
        "orders/create",
        "spaces-in-email",
        "email",
        "an e-mail typed with spaces around it and in capitals",
        order(US, n=n, email="  Ana.Lopez@Example.COM "),
    )
    n += 1
    add(
        "shopify",
        US,
        "orders/create",
        "id-as-string",
        "sms",
        "the order id as a string of digits",
        order(US, n=n, id="5610000002999", shipping_address__phone="(415) 555-0123"),
    )
    n += 1
    add(
        "shopify",
        US,
        "orders/create",
        "no-id",
        "refused",
        "no order id: no order to attach a message to (kept to replay after a fix)",
        order(US, n=n, id=None, shipping_address__phone="(415) 555-0123"),
    )
    n += 1
    add(
        "shopify",
        US,
        "orders/create",
        "no-created-at",
        "refused",
        "no time at all: the milestone cannot be placed among the order's others",
        order(US, n=n, created_at=None, shipping_address__phone="(415) 555-0123"),
    )
    add(
        "shopify",
        US,
        "orders/create",
        "not-an-object",
        "refused",
        "the body is a JSON list, not an order",
        [{"id": 1}],
    )
    for topic in ("orders/updated", "orders/cancelled", "checkouts/create", "refunds/create"):
        add(
            "shopify",
            US,
            topic,
            f"topic-{topic.replace('/', '-')}",
            "ignored",
            f"{topic}: a topic the intake does not map",
            order(US, n=n, shipping_address__phone="(415) 555-0123"),
        )


MOBILES = {
    US: ("(415) 555-0123", "+14155550123"),
    DE: ("0151 23456789", "+4915123456789"),
    FR: ("06 12 34 56 78", "+33612345678"),
}


def _mobile(shop: str) -> str:
    return MOBILES[shop][0]


def _e164(shop: str) -> str:
    return MOBILES[shop][1]


def customer(shop: str, *, phone: bool = True, email: bool = True) -> dict[str, Any]:
    return {
        "name": "Ana",
        "phone": _e164(shop) if phone else None,
        "email": "ana@example.com" if email else None,
        "locale": SHOPS[shop][1],
    }


# --- Shopify fulfillments/create ------------------------------------------------------------


def fulfillment(shop: str, *, n: int, **changes: Any) -> Payload:
    base = fixture("fulfillments_create_ups")
    base["id"] = 4810000003000 + n
    base["order_id"] = 5610000003000 + n
    base["destination"]["country_code"] = SHOPS[shop][0]
    base["destination"]["phone"] = None
    for key, value in changes.items():
        _set(base, key, value)
    return base


def shopify_fulfillments() -> None:
    n = 0
    for shop in SHOPS:
        for phone, email, expect in (
            (True, True, "sms"),
            (False, True, "email"),
            (True, False, "sms"),
        ):
            n += 1
            add(
                "shopify",
                shop,
                "fulfillments/create",
                f"known-{expect}",
                expect,
                "shipped: the order's customer, kept from orders/create, is notified",
                fulfillment(shop, n=n),
                customer(shop, phone=phone, email=email),
            )
        n += 1
        add(
            "shopify",
            shop,
            "fulfillments/create",
            "destination-phone",
            "sms",
            "the order never reached Herald; the destination's phone, typed locally",
            fulfillment(shop, n=n, destination__phone=_mobile(shop)),
        )
        n += 1
        add(
            "shopify",
            shop,
            "fulfillments/create",
            "fulfillment-email",
            "email",
            "the order never reached Herald; the fulfillment's e-mail",
            fulfillment(shop, n=n, email="ana@example.com"),
        )
        n += 1
        add(
            "shopify",
            shop,
            "fulfillments/create",
            "unknown-order-nobody",
            "refused",
            "the order never reached Herald and the fulfillment names no contact",
            fulfillment(shop, n=n),
        )
        for state in ("cancelled", "error", "failure"):
            n += 1
            add(
                "shopify",
                shop,
                "fulfillments/create",
                f"state-{state}",
                "ignored",
                f"a {state} fulfillment shipped nothing",
                fulfillment(shop, n=n, status=state),
                customer(shop),
            )
        n += 1
        add(
            "shopify",
            shop,
            "fulfillments/create",
            "no-tracking",
            "sms",
            "shipped without a tracking number (a letter post): still shipped",
            fulfillment(
                shop,
                n=n,
                tracking_company=None,
                tracking_number=None,
                tracking_numbers=[],
                tracking_url=None,
                tracking_urls=[],
            ),
            customer(shop),
        )
        n += 1
        add(
            "shopify",
            shop,
            "fulfillments/create",
            "tracking-lists-only",
            "sms",
            "tracking only in the plural lists, as newer API versions send it",
            fulfillment(shop, n=n, tracking_number=None, tracking_url=None),
            customer(shop),
        )
        n += 1
        add(
            "shopify",
            shop,
            "fulfillments/create",
            "no-destination",
            "sms",
            "a digital or picked-up fulfillment without destination, order known",
            fulfillment(shop, n=n, destination=None),
            customer(shop),
        )
    n += 1
    add(
        "shopify",
        US,
        "fulfillments/create",
        "no-order-id",
        "refused",
        "no order id: nothing to attach the shipment to",
        fulfillment(US, n=n, order_id=None),
        customer(US),
    )
    n += 1
    add(
        "shopify",
        US,
        "fulfillments/create",
        "updated-at-only",
        "sms",
        "created_at missing, updated_at present: that time is used",
        fulfillment(US, n=n, created_at=None),
        customer(US),
    )
    n += 1
    add(
        "shopify",
        DE,
        "fulfillments/create",
        "destination-landline",
        "refused",
        "the order never reached Herald; the destination has a landline the shop drops",
        fulfillment(DE, n=n, destination__phone="030 901820"),
    )


# --- Shopify fulfillment_events/create ------------------------------------------------------

MAPPED_STATUSES = (
    "in_transit",
    "out_for_delivery",
    "attempted_delivery",
    "delayed",
    "delivered",
    "failure",
)
UNMAPPED_STATUSES = (
    "label_printed",
    "label_purchased",
    "confirmed",
    "ready_for_pickup",
    "picked_up",
    "carrier_picked_up",
)
FR_UNUSED = ("out_for_delivery", "attempted_delivery")


def fulfillment_event(shop: str, *, n: int, status: str, **changes: Any) -> Payload:
    base = fixture("fulfillment_events_create_delayed")
    base["id"] = 3310000004000 + n
    base["order_id"] = 5610000004000 + n
    base["status"] = status
    for key, value in changes.items():
        _set(base, key, value)
    return base


def shopify_fulfillment_events() -> None:
    n = 0
    for shop in SHOPS:
        for status in MAPPED_STATUSES:
            unused = shop == FR and status in FR_UNUSED
            n += 1
            add(
                "shopify",
                shop,
                "fulfillment_events/create",
                f"{status}-known",
                "ignored" if unused else "sms",
                "the shop does not use this milestone"
                if unused
                else f"{status}: the order's customer, known from orders/create",
                fulfillment_event(shop, n=n, status=status),
                customer(shop),
            )
            n += 1
            add(
                "shopify",
                shop,
                "fulfillment_events/create",
                f"{status}-unknown-order",
                "ignored" if unused else "refused",
                "the shop does not use this milestone (no customer needed)"
                if unused
                else "the order never reached Herald: nobody known to notify",
                fulfillment_event(shop, n=n, status=status),
            )
        for status in UNMAPPED_STATUSES:
            n += 1
            add(
                "shopify",
                shop,
                "fulfillment_events/create",
                f"{status}",
                "ignored",
                f"{status}: no milestone a customer is told of",
                fulfillment_event(shop, n=n, status=status),
                customer(shop),
            )
        n += 1
        add(
            "shopify",
            shop,
            "fulfillment_events/create",
            "email-only-customer",
            "email",
            "delivered; the order's customer has an e-mail only",
            fulfillment_event(shop, n=n, status="delivered"),
            customer(shop, phone=False),
        )
    n += 1
    add(
        "shopify",
        US,
        "fulfillment_events/create",
        "long-message",
        "sms",
        "a carrier message of 700 characters: cut, not refused",
        fulfillment_event(US, n=n, status="delayed", message="Weather delay. " * 47),
        customer(US),
    )
    n += 1
    add(
        "shopify",
        US,
        "fulfillment_events/create",
        "created-at-only",
        "sms",
        "happened_at missing, created_at present",
        fulfillment_event(US, n=n, status="delivered", happened_at=None),
        customer(US),
    )
    n += 1
    add(
        "shopify",
        US,
        "fulfillment_events/create",
        "no-time",
        "refused",
        "no time at all: the milestone cannot be placed",
        fulfillment_event(US, n=n, status="delivered", happened_at=None, created_at=None),
        customer(US),
    )
    n += 1
    add(
        "shopify",
        US,
        "fulfillment_events/create",
        "bad-estimate",
        "sms",
        "an estimated delivery that is no time: the estimate is left out",
        fulfillment_event(US, n=n, status="delayed", estimated_delivery_at="soon"),
        customer(US),
    )
    n += 1
    add(
        "shopify",
        US,
        "fulfillment_events/create",
        "no-order-id",
        "refused",
        "no order id",
        fulfillment_event(US, n=n, status="delivered", order_id=None),
        customer(US),
    )
    n += 1
    add(
        "shopify",
        US,
        "fulfillment_events/create",
        "no-status",
        "ignored",
        "no status: nothing it tells",
        fulfillment_event(US, n=n, status=None),
        customer(US),
    )


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
        _set(base, key, value)
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


BUILDERS: dict[str, list[Callable[[], None]]] = {
    "shopify": [shopify_orders, shopify_fulfillments, shopify_fulfillment_events],
    "generic": [generic],
}


def build(source: str) -> list[dict[str, Any]]:
    """The cases of one source, as the file holds them."""
    cases.clear()
    for builder in BUILDERS[source]:
        builder()
    return copy.deepcopy(cases)


def main() -> None:
    for source in BUILDERS:
        path = CORPUS / f"{source}.json"
        built = build(source)
        path.write_text(json.dumps(built, indent=1, ensure_ascii=False) + "\n")
        print(f"{path.relative_to(ROOT)}: {len(built)} cases")


if __name__ == "__main__":
    main()
