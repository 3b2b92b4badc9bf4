"""What a template can show: the event's data, already formatted for the customer.

Templates get strings, not models, so a merchant editing one never needs to know babel
or time zones, and a missing value is ``None`` (print it only inside ``{% if %}``).
"""

from __future__ import annotations

from typing import Any

from domain.events import MilestoneEvent
from messaging.brand import Brand
from messaging.formatting import Formatter
from messaging.locales import text_direction

TEMPLATE_VARIABLES: frozenset[str] = frozenset(
    {
        "brand",  # .name, .support_contact, .tracking_base_url
        "customer",  # .name, .first_name
        "kind",  # "order" or "return"
        "milestone",
        "reference",  # the order or return number
        "carrier",
        "tracking_id",
        "tracking_link",  # the brand's tracking page for this parcel or return: always set
        "arrival",  # 'Thursday, March 14, 9:00 AM – 1:00 PM', or None
        "arrival_short",  # 'Thu, Mar 14, 9:00 AM – 1:00 PM', or None: for SMS
        "refund_amount",  # 'R$ 1.234,56', or None
        "detail",  # the OMS's note (why a parcel is late...), or None
        "problem",  # what went wrong: "address_problem", "lost", "damaged"... or None
        "occurred_on",  # the event's day, long form
        "occurred_at_time",  # the event's time of day
        "html_lang",  # e-mail layout: the lang attribute
        "text_direction",  # e-mail layout: "ltr" or "rtl"
    }
)

# Only the e-mail's HTML gets these: the subject and the plain text, split in paragraphs.
HTML_VARIABLES: frozenset[str] = frozenset({"subject", "paragraphs"})


# Words that are half of a compound given name: عبد الرحمن ("servant of the Merciful")
# is one name, as are أبو بكر and "Abdul Rahman"; "Abd al-Rahman" takes its article too.
_JOINS_NEXT = frozenset(
    {"عبد", "ابو", "أبو", "أم", "ام", "abd", "abdul", "abdel", "abdal", "abu", "abou", "umm"}
)
_ARTICLES = frozenset({"al", "el", "ul", "al-", "el-", "ال"})


def first_name(full_name: str) -> str:
    """The given name: 'Maria' in 'Maria Fernanda Souza', 'عبد الرحمن' in 'عبد الرحمن
    الشمري'. Only an ordinary space parts words: a no-break space ('Anne\u00a0Marie')
    means the customer wants them together. A name without spaces (山田太郎) stays whole."""
    words = [word for word in full_name.strip().split(" ") if word]
    if not words:
        return full_name.strip()
    taken = 1
    if len(words) > 1 and words[0].casefold() in _JOINS_NEXT:
        taken = 3 if len(words) > 2 and words[1].casefold() in _ARTICLES else 2
    return " ".join(words[:taken])


def build_context(
    event: MilestoneEvent, brand: Brand, template_locale: str, default_locale: str
) -> dict[str, Any]:
    """The variables every template of ``event`` gets; formatting follows the customer's
    own locale (``en-GB`` dates even when the words come from ``en``)."""
    customer, shipment, refund = event.customer, event.shipment, event.refund
    formatter = Formatter.for_customer(customer.locale, customer.time_zone, template_locale)
    tracking_id = shipment.tracking_id if shipment else None
    start = shipment.estimated_arrival if shipment else None
    end = shipment.estimated_arrival_end if shipment else None
    return {
        "brand": brand.model_dump(),
        "customer": {"name": customer.name.strip(), "first_name": first_name(customer.name)},
        "kind": event.kind.value,
        "milestone": event.milestone.value,
        "reference": event.reference,
        "carrier": shipment.carrier if shipment else None,
        "tracking_id": tracking_id,
        "tracking_link": brand.tracking_link(tracking_id or event.reference),
        "arrival": formatter.arrival_window(start, end, short=False) if start else None,
        "arrival_short": formatter.arrival_window(start, end, short=True) if start else None,
        "refund_amount": formatter.money(refund.amount, refund.currency) if refund else None,
        "detail": event.detail,
        "problem": event.problem.value if event.problem else None,
        "occurred_on": formatter.long_date(event.occurred_at),
        "occurred_at_time": formatter.time(event.occurred_at),
        "html_lang": template_locale,
        "text_direction": text_direction(template_locale or default_locale),
    }
