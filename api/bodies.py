"""What every JSON request body shares: text that can be stored and answered.

JSON may escape a lone UTF-16 surrogate (``"\\ud800"``); Python decodes it into a ``str``
that no UTF-8 encoder takes, so it would fail later, in the database driver or in the
answer, as a 500. It is refused here, as the caller's mistake it is, with a 422.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, model_validator


def has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check(value: Any, where: str) -> None:
    if isinstance(value, str):
        if has_lone_surrogate(value):
            raise ValueError(f"{where or 'the body'} holds a lone UTF-16 surrogate: not text")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, where)
            _check(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{where}[{index}]")


class RequestBody(BaseModel):
    """The base of every request model: only encodable text gets in."""

    @model_validator(mode="before")
    @classmethod
    def _only_text(cls, data: Any) -> Any:
        _check(data, "")
        return data
