"""The one list of activities, imported by the worker and the tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from activities.conversation import ConversationActivities
from activities.decide_and_send import DecideAndSendActivities
from activities.dependencies import Dependencies
from activities.email import EmailActivities
from activities.policy import PolicyActivities
from activities.policy_facts import PolicyFactsActivities
from activities.push import PushActivities
from activities.reconcile import ReconcileActivities
from activities.record import RecordActivities
from activities.render import SmsRenderer
from activities.sms import SmsActivities
from activities.tracking import TrackingActivities


def build_activities(deps: Dependencies) -> list[Callable[..., Any]]:
    sender_domain = deps.settings.email_sender.rpartition("@")[2].rstrip(">") or "herald.local"
    policy = PolicyActivities(deps.settings)
    sms_renderer = SmsRenderer(deps.store, deps.language_model, deps.conversation)
    sms = SmsActivities(
        deps.settings, deps.store, deps.sms, deps.report_waits, router=deps.sms_router
    )
    email = EmailActivities(deps.store, deps.email, sender_domain, deps.settings)
    push = PushActivities(deps.store, deps.push)
    record = RecordActivities(deps.store)
    facts = PolicyFactsActivities(deps.store, sms_renderer)
    decide_and_send = DecideAndSendActivities(facts, sms)
    conversation = ConversationActivities(deps.conversation, deps.oms, deps.support)
    others = {n: p for n, p in deps.sms_router.providers.items() if n != "twilio"}
    reconcile = ReconcileActivities(deps.store, deps.sms, others)
    tracking = TrackingActivities(deps.settings, deps.store)
    return [
        policy.load_policy,
        sms.send_sms,
        email.send_email,
        push.send_push,
        record.record_timeline,
        facts.gather_policy_facts,
        decide_and_send.decide_and_send_sms,
        reconcile.reconcile_delivery_report,
        conversation.offer_delivery_slots,
        conversation.book_delivery_slot,
        conversation.request_support,
        conversation.compose_reply,
        tracking.ensure_tracker,
        tracking.poll_tracker,
    ]
