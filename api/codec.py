"""The Web UI's remote codec: decrypt payloads for support, with contact details masked.

The Temporal Web UI posts encrypted payloads here (``--ui-codec-endpoint``) and shows what
comes back. Only the UI's own origins may call it from a browser (CORS); in production it
sits behind the same authentication as the UI. There is deliberately no ``/encode``: nobody
needs to forge payloads from a browser.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from privacy.codec import EncryptionCodec, UnknownKeyError
from privacy.masking import mask_payload


def create_codec_router(codec: EncryptionCodec) -> APIRouter:
    router = APIRouter()

    @router.post("/codec/decode")
    async def decode(request: Request) -> Response:
        try:
            payloads = json_format.Parse(await request.body(), Payloads())
            decoded = await codec.decode(payloads.payloads)
        except (json_format.ParseError, UnknownKeyError, ValueError) as exc:
            return Response(status_code=400, content=f"cannot decode: {exc}")
        masked = Payloads(payloads=[mask_payload(p) for p in decoded])
        return Response(content=json_format.MessageToJson(masked), media_type="application/json")

    return router
