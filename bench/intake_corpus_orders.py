"""Shopify orders/create cases of the intake corpus: how shoppers type phones and
where checkouts put them, guests, names, countries, locales, point-of-sale, draft and
test orders."""

from __future__ import annotations

from typing import Any

from bench.intake_corpus_common import (
    DE,
    FR,
    SHOPS,
    US,
    Payload,
    add,
    e164_mobile,
    fixture,
    local_mobile,
    set_field,
)

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
        set_field(base, key, value)
    return base


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
                shipping_address__phone=local_mobile(shop),
            ),
        )
        n += 1
        nameless = order(
            shop,
            n=n,
            customer=None,
            email="x@example.com",
            shipping_address__phone=local_mobile(shop),
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
            order(
                shop, n=n, test=True, gateway="bogus", shipping_address__phone=local_mobile(shop)
            ),
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
            order(shop, n=n, email="ana@", shipping_address__phone=local_mobile(shop)),
        )
        n += 1
        add(
            "shopify",
            shop,
            "orders/create",
            "customer-phone-only",
            "sms",
            "the phone is only on the customer record, in international form",
            order(shop, n=n, customer__phone=e164_mobile(shop)),
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
            order(shop, n=n, shipping_address=None, billing_address__phone=local_mobile(shop)),
        )
        n += 1
        local_delivery = order(shop, n=n, email="c@example.com")
        local_delivery["shipping_lines"][0].update(
            code="Local Delivery", title="Local Delivery", phone=e164_mobile(shop)
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
                shipping_address__phone=local_mobile(shop),
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
