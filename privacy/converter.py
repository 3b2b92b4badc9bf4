"""The one data converter for clients, workers, tests and the codec endpoint."""

from __future__ import annotations

import dataclasses

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from config.settings import Settings
from privacy.codec import EncryptionCodec
from privacy.keys import load_keys


def codec_for(settings: Settings) -> EncryptionCodec:
    keys, current = load_keys(settings)
    return EncryptionCodec(keys, current)


def data_converter(settings: Settings) -> DataConverter:
    """Pydantic models as JSON, then AES-GCM encrypted."""
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec_for(settings))
