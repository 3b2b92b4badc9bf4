"""The Web UI's remote codec: decrypt payloads for support, with contact details masked.

Temporal's remote codec protocol: the Web UI (``--ui-codec-endpoint``) and the CLI
(``--codec-endpoint``) post ``{"payloads": [...]}`` to ``<endpoint>/decode`` and
``<endpoint>/encode``. Decoding shows support the history; encoding is how the UI and the
CLI send query and signal arguments to workflows whose payloads are encrypted (without it
the UI's Queries tab and ``temporal workflow query --codec-endpoint`` fail). Only the UI's
own origins may call it from a browser (CORS); in production it sits behind the same
authentication as the UI.
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

    @router.post("/codec/encode")
    async def encode(request: Request) -> Response:
        try:
            payloads = json_format.Parse(await request.body(), Payloads())
        except (json_format.ParseError, ValueError) as exc:
            return Response(status_code=400, content=f"cannot encode: {exc}")
        encoded = Payloads(payloads=await codec.encode(payloads.payloads))
        return Response(content=json_format.MessageToJson(encoded), media_type="application/json")

    return router
