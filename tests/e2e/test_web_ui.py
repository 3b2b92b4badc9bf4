"""Support reads an order in the Temporal Web UI and the CLI, out of the box.

The dev stack's UI is started with Herald's codec (``--ui-codec-endpoint``); a real
browser (Debian's headless Chromium) opens an order's page and must see the decoded
input, masked phone numbers and the message table of the current details.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time

import httpx
from google.protobuf import json_format
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.client import Client

from devstack.processes import BIN_DIR
from devstack.stack import Stack
from domain.milestones import Kind
from starter.client import signal_milestone
from tests.e2e.test_stack import all_final, history_when, new_phone, new_reference
from tests.helpers.browser import headless_chromium
from tests.helpers.events import order_event


def wait_for(driver: WebDriver, find, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    """Poll ``find`` (which raises NoSuchElementException or AssertionError) until it holds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return find()
        except (NoSuchElementException, AssertionError):
            if time.monotonic() > deadline:
                driver.save_screenshot("/tmp/herald-web-ui-failure.png")
                raise
            time.sleep(0.3)


def message_tables(driver: WebDriver) -> list[list[str]]:
    """Every row of the tables the UI renders from current details (in their iframes)."""
    rows: list[list[str]] = []
    for frame in driver.find_elements(By.TAG_NAME, "iframe"):
        driver.switch_to.frame(frame)
        try:
            for table in driver.find_elements(By.TAG_NAME, "table"):
                header = [th.text for th in table.find_elements(By.TAG_NAME, "th")]
                rows.append(header)
                for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr"):
                    rows.append([td.text for td in tr.find_elements(By.TAG_NAME, "td")])
        finally:
            driver.switch_to.default_content()
    assert rows, "no message table in the current details yet"
    return rows


async def test_the_dev_server_ui_is_pointed_at_the_codec(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.settings.effective_temporal_ui_url) as ui:
        ui_settings = (await ui.get("/api/v1/settings")).json()
    assert ui_settings["Codec"]["Endpoint"] == stack.settings.codec_endpoint


async def test_the_codec_encodes_what_it_decodes_for_the_ui_origin(stack: Stack) -> None:
    origin = stack.settings.effective_web_ui_origins[0]
    assert origin == stack.settings.effective_temporal_ui_url  # derived from the UI address
    plain = Payloads(
        payloads=[Payload(metadata={"encoding": b"json/plain"}, data=b'{"phone": "+14155550167"}')]
    )
    async with httpx.AsyncClient(base_url=stack.settings.codec_endpoint) as codec:
        encoded = await codec.post(
            "/encode", content=json_format.MessageToJson(plain), headers={"Origin": origin}
        )
        ciphertext = json_format.Parse(encoded.content, Payloads())
        decoded = await codec.post(
            "/decode", content=json_format.MessageToJson(ciphertext), headers={"Origin": origin}
        )
        garbage = await codec.post("/encode", content=b"{not json")
    assert encoded.headers["access-control-allow-origin"] == origin
    assert ciphertext.payloads[0].metadata["encoding"] == b"binary/encrypted"
    assert b"4155550167" not in ciphertext.payloads[0].data
    shown = json.loads(json_format.Parse(decoded.content, Payloads()).payloads[0].data)
    assert shown == {"phone": "+1********67"}  # decoded for support, masked
    assert garbage.status_code == 400


async def test_the_cli_reads_history_through_the_codec(client: Client, stack: Stack) -> None:
    phone, reference = new_phone(), new_reference()
    await signal_milestone(client, order_event("shipped", reference, phone=phone))
    await history_when(client, Kind.ORDER, reference, all_final(1))
    query = [
        str(BIN_DIR / "temporal"),
        "workflow",
        "query",
        "--address",
        stack.settings.temporal_address,
        "--workflow-id",
        f"order-{reference}",
        "--type",
        "history",
        "--codec-endpoint",
        stack.settings.codec_endpoint,
        "--output",
        "json",
    ]
    done = await asyncio.to_thread(subprocess.run, query, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"+1********{phone[-2:]}" in done.stdout and phone not in done.stdout
    assert '"milestone": "shipped"' in done.stdout or '"milestone":"shipped"' in done.stdout


async def test_support_reads_an_order_in_the_web_ui(client: Client, stack: Stack) -> None:
    phone, reference = new_phone(), new_reference()
    for step, milestone in enumerate(["confirmed", "shipped"]):
        await signal_milestone(client, order_event(milestone, reference, step=step, phone=phone))
    await history_when(client, Kind.ORDER, reference, all_final(2))
    masked = f"+1********{phone[-2:]}"
    page = (
        f"{stack.settings.effective_temporal_ui_url}/namespaces/default/workflows/order-{reference}"
    )

    def read_ui() -> tuple[str, list[list[str]]]:
        with headless_chromium() as driver:
            driver.get(page)

            def decoded_input() -> str:
                body = driver.find_element(By.TAG_NAME, "body").text
                assert f'"reference": "{reference}"' in body, "input not decoded yet"
                return body

            overview = wait_for(driver, decoded_input)

            def summaries() -> None:  # the timeline names what each activity tried
                body = driver.find_element(By.TAG_NAME, "body").text
                assert f"decide and send shipped by SMS to {masked}" in body, "no summary yet"

            wait_for(driver, summaries)
            driver.find_element(By.XPATH, "//a[@role='tab'][contains(., 'User Metadata')]").click()
            tables = wait_for(driver, lambda: message_tables(driver))
            driver.save_screenshot("/tmp/herald-web-ui-order.png")
            return overview, tables

    overview, table = await asyncio.to_thread(read_ui)
    assert "binary/encrypted" not in overview  # the codec decoded every payload shown
    assert phone not in overview and phone[1:] not in overview
    header, *rows = [[cell.strip("\u2003 ") for cell in row] for row in table]
    assert header == ["time (UTC)", "about", "by", "to", "outcome"]
    assert [r[1:] for r in rows] == [
        ["confirmed", "SMS", masked, "delivered"],
        ["shipped", "SMS", masked, "delivered"],
    ]
