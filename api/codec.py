"""The Web UI's remote codec: decrypt payloads for support, with contact details masked.

The Temporal Web UI posts encrypted payloads here (``--ui-codec-endpoint``) and shows what
comes back. It decrypts customers' names, references and links, so it asks for a credential
like every route that reveals customer data (api/auth.py): an API token, or the Web UI
user's own OIDC access token (``TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true``) when Herald is
told the identity provider's keys. Only the UI's own origins may call it from a browser
(CORS). There is deliberately no ``/encode``: nobody needs to forge payloads from a browser.

Anything that is not a payload list this codec wrote (malformed JSON, nesting deeper than
protobuf's JSON reader takes, a key id we do not hold, ciphertext that fails
authentication) is the caller's error: a 400 that says which, never a 500.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payloads

from api.auth import require_credential
from config.settings import Settings
from privacy.codec import EncryptionCodec, PayloadIntegrityError, UnknownKeyError
from privacy.masking import mask_payload

MAX_BODY_BYTES = 4 * 1024 * 1024  # a history page's payloads; the UI sends one at a time


def create_codec_router(codec: EncryptionCodec, settings: Settings) -> APIRouter:
    router = APIRouter(dependencies=[Depends(require_credential(settings, accept_oidc=True))])

    @router.post("/codec/decode")
    async def decode(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return Response(status_code=413, content="payloads too large to decode at once")
        try:
            payloads = json_format.Parse(body, Payloads())
            decoded = await codec.decode(payloads.payloads)
            masked = Payloads(payloads=[mask_payload(p) for p in decoded])
        except (
            json_format.ParseError,
            DecodeError,
            UnknownKeyError,
            PayloadIntegrityError,
            UnicodeError,
            RecursionError,
            ValueError,
        ) as exc:
            return Response(status_code=400, content=f"cannot decode: {_reason(exc)}")
        return Response(content=json_format.MessageToJson(masked), media_type="application/json")

    return router


def _reason(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc) or type(exc).__name__
