"""The EasyPost stand-in, through the official ``easypost`` SDK where it has a call for it
and over plain HTTP for what the SDK hides (Basic auth, error bodies, the control routes).

Each test uses its own tracking code (told to the carrier through the control route), so
the shared sandbox's dedupe of a code and carrier never couples two tests.
"""

from __future__ import annotations

import base64
import json
import uuid

import easypost
import pytest
from easypost.errors import InvalidRequestError, NotFoundError, UnauthorizedError

from config.settings import SANDBOX_EASYPOST_API_KEY
from sandbox.easypost_trackers import TEST_TRACKING_CODES
from tests.sandbox.conftest import ReceivedWebhook, RunningSandbox, WebhookReceiver


def client_for(
    sandbox: RunningSandbox, key: str = SANDBOX_EASYPOST_API_KEY
) -> easypost.EasyPostClient:
    return easypost.EasyPostClient(key, api_base=f"{sandbox.base_url}/v2", timeout=10)


def new_parcel(sandbox: RunningSandbox, status: str = "in_transit", carrier: str = "UPS") -> str:
    code = f"1Z{uuid.uuid4().hex[:14].upper()}"
    told = sandbox.http.post(
        "/sandbox/easypost/parcels",
        json={"tracking_code": code, "carrier": carrier, "status": status},
    )
    assert told.status_code == 201
    return code


def test_a_tracker_is_created_and_retrieved_through_the_sdk(sandbox: RunningSandbox) -> None:
    client = client_for(sandbox)
    code = new_parcel(sandbox)
    tracker = client.tracker.create(tracking_code=code, carrier="UPS")
    assert tracker.id.startswith("trk_") and len(tracker.id) == 4 + 32
    assert (tracker.status, tracker.carrier, tracker.mode) == ("in_transit", "UPS", "test")
    assert [d.status for d in tracker.tracking_details] == ["pre_transit", "in_transit"]
    assert tracker.created_at.endswith("Z") and tracker.est_delivery_date is not None
    assert tracker.signed_by is None  # only once delivered
    again = client.tracker.retrieve(tracker.id)
    assert again.to_dict() == tracker.to_dict()


def test_the_same_code_and_carrier_is_the_same_tracker(sandbox: RunningSandbox) -> None:
    client = client_for(sandbox)
    code = new_parcel(sandbox)
    first = client.tracker.create(tracking_code=code, carrier="UPS")
    second = client.tracker.create(tracking_code=code, carrier="ups")
    assert second.id == first.id
    listed = client.tracker.all(tracking_code=code)
    assert [t.id for t in listed["trackers"]] == [first.id]


@pytest.mark.parametrize(("code", "status"), sorted(TEST_TRACKING_CODES.items()))
def test_easyposts_test_codes_start_in_their_status(
    sandbox: RunningSandbox, code: str, status: str
) -> None:
    tracker = client_for(sandbox).tracker.create(tracking_code=code, carrier="USPS")
    assert tracker.status == status
    if status == "unknown":  # nothing scanned yet: no details, no estimate
        assert tracker.tracking_details == [] and tracker.est_delivery_date is None
    else:
        assert tracker.tracking_details[-1].status == status


def test_an_unknown_tracking_code_is_a_422_in_easyposts_shape(sandbox: RunningSandbox) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        client_for(sandbox).tracker.create(tracking_code="NOPE123", carrier="USPS")
    assert refused.value.http_status == 422
    assert refused.value.code == "TRACKER.CREATE.ERROR"


def test_an_unknown_tracker_is_a_404(sandbox: RunningSandbox) -> None:
    with pytest.raises(NotFoundError) as missing:
        client_for(sandbox).tracker.retrieve("trk_" + "0" * 32)
    assert missing.value.code == "NOT_FOUND"


def test_a_wrong_key_is_refused(sandbox: RunningSandbox) -> None:
    with pytest.raises(UnauthorizedError) as refused:
        client_for(sandbox, key="EZTKsomeoneelse").tracker.all()
    assert refused.value.http_status == 401 and refused.value.code == "APIKEY.INACTIVE"


@pytest.mark.parametrize(
    ("authorization", "status", "code"),
    [
        (None, 401, "APIKEY.REQUIRED"),
        ("Basic !!!", 401, "APIKEY.REQUIRED"),
        ("Basic " + base64.b64encode(b"EZTKwrong:").decode(), 401, "APIKEY.INACTIVE"),
        ("Basic " + base64.b64encode(f"{SANDBOX_EASYPOST_API_KEY}:".encode()).decode(), 200, None),
        (f"Bearer {SANDBOX_EASYPOST_API_KEY}", 200, None),
    ],
)
def test_basic_auth_with_the_key_as_user_name_or_a_bearer_key(
    sandbox: RunningSandbox, authorization: str | None, status: int, code: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    answer = sandbox.http.get("/v2/trackers", headers=headers)
    assert answer.status_code == status
    if code:
        assert answer.json()["error"]["code"] == code
        assert answer.json()["error"]["errors"] == []


def test_the_listing_pages_newest_first(sandbox: RunningSandbox) -> None:
    client = client_for(sandbox)
    made = [
        client.tracker.create(tracking_code=new_parcel(sandbox), carrier="UPS") for _ in range(3)
    ]
    page = client.tracker.all(page_size=2)
    assert [t.id for t in page["trackers"]] == [made[2].id, made[1].id] and page["has_more"]
    rest = client.tracker.get_next_page(page, page_size=2)
    assert [t.id for t in rest["trackers"]] == [made[0].id] and not rest["has_more"]
    over = sandbox.http.get(
        "/v2/trackers",
        params={"page_size": 101},
        headers={"Authorization": f"Bearer {SANDBOX_EASYPOST_API_KEY}"},
    )
    assert over.status_code == 422


def test_advancing_a_tracker_posts_a_signed_event_the_sdk_validates(
    sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    client = client_for(sandbox)
    secret = "s\u00e9cret\ufb01"  # NFKD changes it: the signature must use the normalised form
    hook = client.webhook.create(url=webhook_receiver.url("/easypost"), webhook_secret=secret)
    assert hook.id.startswith("hook_") and "webhook_secret" not in hook.to_dict()
    tracker = client.tracker.create(tracking_code=new_parcel(sandbox), carrier="UPS")
    webhook_receiver.wait_for(1)  # tracker.created
    advanced = sandbox.http.post(f"/sandbox/easypost/trackers/{tracker.id}/advance")
    assert advanced.json()["status"] == "out_for_delivery"
    [created, updated] = webhook_receiver.wait_for(2)
    body = _raw_body(updated)
    event = easypost.util.validate_webhook(
        body, {"X-Hmac-Signature": updated.headers["X-Hmac-Signature"]}, secret
    )
    assert event["description"] == "tracker.updated" and event["id"].startswith("evt_")
    assert event["previous_attributes"] == {"status": "in_transit"}
    assert event["result"]["status"] == "out_for_delivery"
    assert json.loads(_raw_body(created))["description"] == "tracker.created"
    with pytest.raises(easypost.errors.SignatureVerificationError):
        easypost.util.validate_webhook(
            body, {"X-Hmac-Signature": updated.headers["X-Hmac-Signature"]}, "secret"
        )


def test_a_refused_event_is_delivered_again(
    sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    box = sandbox.app.state.easypost
    box.sender.retry_delays_seconds = [0.05, 0.05]
    client = client_for(sandbox)
    client.webhook.create(url=webhook_receiver.url("/easypost"))
    webhook_receiver.status = 503
    client.tracker.create(tracking_code=new_parcel(sandbox), carrier="UPS")
    webhook_receiver.wait_for(2)
    webhook_receiver.status = 200
    received = webhook_receiver.wait_for(3)
    assert len({_raw_body(r) for r in received}) == 1  # the same event, byte for byte
    assert "X-Hmac-Signature" not in received[0].headers  # no secret: unsigned
    box.sender.retry_delays_seconds = [1.0, 5.0, 30.0]


def test_webhooks_are_listed_and_deleted(sandbox: RunningSandbox) -> None:
    client = client_for(sandbox)
    hook = client.webhook.create(url="http://127.0.0.1:9/easypost")
    assert [h.id for h in client.webhook.all()["webhooks"]] == [hook.id]
    client.webhook.delete(hook.id)
    assert client.webhook.all()["webhooks"] == []
    with pytest.raises(NotFoundError):
        client.webhook.delete(hook.id)
    with pytest.raises(InvalidRequestError):
        client.webhook.create(url="not a url")


def test_the_control_route_refuses_an_unknown_status(sandbox: RunningSandbox) -> None:
    tracker = client_for(sandbox).tracker.create(tracking_code="EZ1000000001", carrier="USPS")
    answer = sandbox.http.post(
        f"/sandbox/easypost/trackers/{tracker.id}/advance", json={"status": "lost"}
    )
    assert answer.status_code == 422
    garbled = sandbox.http.post(f"/sandbox/easypost/trackers/{tracker.id}/advance", content=b"[")
    assert garbled.status_code == 422
    assert sandbox.http.post("/sandbox/easypost/trackers/trk_x/advance").status_code == 404
    assert sandbox.http.post("/sandbox/easypost/parcels", json=["x"]).status_code == 422


def _raw_body(received: ReceivedWebhook) -> bytes:
    return received.body
