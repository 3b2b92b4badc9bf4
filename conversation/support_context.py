"""The order's context that support gets with a call-back request or an exception alert."""

from __future__ import annotations

from collections.abc import Sequence

from domain.events import MilestoneEvent
from providers.support import ConversationLine, SupportContext


def support_context_for(
    event: MilestoneEvent,
    reason: str,
    conversation: Sequence[ConversationLine] = (),
) -> SupportContext:
    """Support's view of the latest event: contacts included (support calls back), and
    the OMS's note, which the language model never sees."""
    shipment, customer = event.shipment, event.customer
    return SupportContext(
        reason=reason,
        workflow_id=event.workflow_id,
        kind=event.kind.value,
        reference=event.reference,
        customer_name=customer.name,
        customer_phone=customer.phone,
        customer_email=customer.email,
        locale=customer.locale,
        milestone=event.milestone.value,
        carrier=shipment.carrier if shipment else None,
        tracking_id=shipment.tracking_id if shipment else None,
        estimated_arrival=shipment.estimated_arrival if shipment else None,
        detail=event.detail,
        conversation=tuple(conversation),
    )
