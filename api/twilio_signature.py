"""Checking that a webhook really comes from the SMS provider."""

from __future__ import annotations

from fastapi import HTTPException, Request
from twilio.request_validator import RequestValidator

from config.settings import Settings


async def verified_form(request: Request, settings: Settings) -> dict[str, str]:
    """The webhook's form parameters, or 403 when ``X-Twilio-Signature`` does not match.

    The signature covers the URL the provider called, which is Herald's public URL (behind
    a proxy the request's own URL differs), so the URL is rebuilt from settings.
    """
    form = {k: str(v) for k, v in (await request.form()).items()}
    url = settings.effective_public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    signature = request.headers.get("X-Twilio-Signature", "")
    token = settings.effective_twilio_auth_token
    # No token (a real account configured without one): nothing can be verified, and a
    # signature made with an empty key must not pass.
    if not token or not signature or not RequestValidator(token).validate(url, form, signature):
        raise HTTPException(status_code=403, detail="invalid X-Twilio-Signature")
    return form
