"""What the people who run Herald see of the running stack: metrics that the dashboard
queries, the worker's health and readiness, JSON log lines without contact details."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from temporalio.client import Client

from config.settings import PROJECT_ROOT
from devstack.stack import Stack
from domain.milestones import Kind
from domain.timeline import NotificationState
from privacy.masking import EMAIL, PHONE
from starter.client import signal_milestone
from tests.e2e.test_stack import all_final, history_when, new_phone, new_reference
from tests.helpers.events import order_event
from tests.helpers.temporal import assert_eventually

DASHBOARD = PROJECT_ROOT / "deploy" / "grafana" / "dashboards" / "herald.json"
METRIC = re.compile(r"\b((?:herald|temporal)_[a-z_]+)\b")
SUFFIXES = ("_bucket", "_sum", "_count", "_total")


def dashboard_metrics() -> set[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    return {name for expr in exprs for name in METRIC.findall(expr)}


def exposed_names(text: str) -> set[str]:
    """Every series name with at least one sample, plus the family each belongs to."""
    names: set[str] = set()
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name = line.split("{", 1)[0].split(" ", 1)[0]
        names.add(name)
        for suffix in SUFFIXES:
            if name.endswith(suffix):
                names.add(name.removesuffix(suffix))
    return names


async def drive_traffic(client: Client, stack: Stack, sandbox: httpx.AsyncClient) -> None:
    """A delivered SMS, an undelivered one that falls back to e-mail (opened), an order
    whose customer has no phone (decided in the workflow), a forged webhook: every kind
    of event the dashboard charts."""
    delivered, undelivered = new_phone(), new_phone()
    await sandbox.post(
        "/sandbox/rules",
        json={"to": undelivered, "final_status": "undelivered", "final_error_code": 30003},
    )
    ok, failing = new_reference(), new_reference()
    await signal_milestone(client, order_event("shipped", ok, phone=delivered))
    await signal_milestone(
        client, order_event("shipped", failing, phone=undelivered, email=f"{failing}@example.com")
    )
    no_phone = new_reference()
    await signal_milestone(
        client, order_event("shipped", no_phone, phone=None, email=f"{no_phone}@example.com")
    )
    await history_when(client, Kind.ORDER, ok, all_final(1))
    await history_when(client, Kind.ORDER, no_phone, lambda h: len(h.messages) == 1)
    await history_when(
        client, Kind.ORDER, failing, lambda h: h.state is NotificationState.FELL_BACK
    )
    email = (await sandbox.get("/sandbox/emails", params={"to": f"{failing}@example.com"})).json()
    pixel = re.search(r'src="([^"]+/t/open/[^"]+)"', email["emails"][0]["html"])
    assert pixel, "the e-mail carries its open-tracking pixel"
    async with httpx.AsyncClient(base_url=stack.settings.effective_public_base_url) as http:
        assert (await http.get(pixel.group(1))).headers["content-type"] == "image/gif"
        forged = await http.post(
            "/twilio/status", data={"MessageSid": "SMx", "MessageStatus": "delivered"}
        )
    assert forged.status_code == 403


async def test_every_metric_the_dashboard_queries_is_on_a_live_endpoint(
    client: Client, stack: Stack, sandbox: httpx.AsyncClient
) -> None:
    await drive_traffic(client, stack, sandbox)
    wanted = dashboard_metrics()
    assert {"herald_messages_total", "herald_sms_delivery_seconds_bucket"} <= wanted

    async def scraped() -> set[str]:
        async with httpx.AsyncClient() as http:
            worker = await http.get(f"http://127.0.0.1:{stack.settings.worker_http_port}/metrics")
            service = await http.get(f"{stack.settings.effective_public_base_url}/metrics")
        found = exposed_names(worker.text) | exposed_names(service.text)
        missing = wanted - found
        assert not missing, f"the dashboard queries metrics no endpoint exposes: {missing}"
        return found

    found = await assert_eventually(scraped, timeout=20)
    assert "herald_policy_decisions_total" in found and "temporal_request_total" in found


async def test_the_worker_reports_its_health_and_readiness(stack: Stack) -> None:
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{stack.settings.worker_http_port}"
    ) as http:
        health, ready = await http.get("/health"), await http.get("/ready")
    assert health.status_code == 200
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "polling": "ok", "temporal": "ok", "database": "ok"}


def json_lines(path: Path) -> list[dict[str, object]]:
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # a line that is not JSON fails here


async def test_worker_and_http_logs_are_json_lines_without_contact_details(
    client: Client, stack: Stack, sandbox: httpx.AsyncClient
) -> None:
    await drive_traffic(client, stack, sandbox)
    http_lines = json_lines(stack.log_dir / "http.log")
    worker_lines = json_lines(stack.log_dir / "worker-1.log")
    for record in http_lines + worker_lines:
        text = json.dumps(record, ensure_ascii=False)
        assert not PHONE.search(text.replace("********", "")), text
        assert not [m for m in EMAIL.finditer(text) if "***" not in m.group(0)], text
    webhooks = [r for r in http_lines if r.get("logger") == "herald.webhooks"]
    accepted = [r for r in webhooks if r["outcome"] == "accepted" and r.get("provider_id")]
    assert accepted and all(r["message_key"] and r["workflow_id"] for r in accepted)
    assert any(r["outcome"] == "refused_signature" for r in webhooks)
    assert any(r["process"] == "worker" for r in worker_lines)
