"""The SMTP sink: e-mails sent with aiosmtplib show up, parsed, at /sandbox/emails."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from tests.sandbox.conftest import HOST, RunningSandbox


def _email(to: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Herald Notifications <notifications@herald.example>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.replace(' ', '-')}@herald.example>"
    message.set_content("Your order 42 shipped.")
    message.add_alternative("<p>Your order <b>42</b> shipped. Ünïcödé ✓</p>", subtype="html")
    return message


async def test_email_is_received_with_text_and_html_parts(sandbox: RunningSandbox) -> None:
    await aiosmtplib.send(
        _email("ada@example.com", "Order 42 shipped"), hostname=HOST, port=sandbox.smtp_port
    )
    await aiosmtplib.send(
        _email("bob@example.com", "Order 43 shipped"), hostname=HOST, port=sandbox.smtp_port
    )

    emails = sandbox.http.get("/sandbox/emails").json()["emails"]
    assert [e["subject"] for e in emails] == ["Order 42 shipped", "Order 43 shipped"]

    [ada] = sandbox.http.get("/sandbox/emails", params={"to": "ADA@example.com"}).json()["emails"]
    assert ada["envelope_from"] == "notifications@herald.example"
    assert ada["envelope_to"] == ["ada@example.com"]
    assert ada["message_id"] == "<Order-42-shipped@herald.example>"
    assert ada["text"].strip() == "Your order 42 shipped."
    assert "<b>42</b>" in ada["html"] and "Ünïcödé ✓" in ada["html"]
    assert ada["received_at"] > 0


async def test_login_is_accepted_for_clients_with_credentials(sandbox: RunningSandbox) -> None:
    await aiosmtplib.send(
        _email("carol@example.com", "With login"),
        hostname=HOST,
        port=sandbox.smtp_port,
        username="herald",
        password="anything",
    )
    [carol] = sandbox.http.get("/sandbox/emails", params={"to": "carol@example.com"}).json()[
        "emails"
    ]
    assert carol["subject"] == "With login"


async def test_reset_empties_the_mailbox(sandbox: RunningSandbox) -> None:
    await aiosmtplib.send(_email("dan@example.com", "Bye"), hostname=HOST, port=sandbox.smtp_port)
    sandbox.reset()
    assert sandbox.http.get("/sandbox/emails").json()["emails"] == []
