"""Two-way SMS settings: ``HERALD_*`` variables, kept apart from :mod:`config.settings`
like :mod:`config.messaging` and :mod:`config.policy`.

Empty base URLs mean the local sandbox (``/sandbox/oms``, ``/sandbox/support``); the
language model is off until ``HERALD_LANGUAGE_MODEL_ENABLED=true`` and a base URL is set.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.settings import get_settings


class ConversationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HERALD_", env_file=".env", extra="ignore")

    # A reply belongs to an order or return that texted the number within this window.
    reply_window_seconds: float = Field(default=7 * 24 * 3600.0, gt=0)
    # How long a "which one?" question waits for its numbered answer.
    disambiguation_ttl_seconds: float = Field(default=3600.0, gt=0)

    # OMS or carrier delivery slots: GET {base}/orders/{ref}/delivery-slots ...
    oms_base_url: str = ""  # empty: the sandbox OMS
    oms_api_key: SecretStr = SecretStr("")
    oms_timeout_seconds: float = Field(default=10.0, gt=0)

    # Support system: call-back requests and exception alerts.
    support_base_url: str = ""  # empty: the sandbox support desk (or e-mail, below)
    support_email: str = ""  # set, with no base URL: requests are e-mailed to this team
    support_api_key: SecretStr = SecretStr("")
    support_timeout_seconds: float = Field(default=10.0, gt=0)
    callback_promise_hours: int = Field(default=24, ge=1)  # "we will call within 24 hours"

    # Optional wording of exception messages by an OpenAI-compatible chat completions API.
    language_model_enabled: bool = False
    language_model_base_url: str = ""  # e.g. http://127.0.0.1:11434/v1 for a local server
    language_model_name: str = ""
    language_model_api_key: SecretStr = SecretStr("")
    language_model_timeout_seconds: float = Field(default=5.0, gt=0)
    language_model_max_segments: int = Field(default=2, ge=1)

    @property
    def language_model_active(self) -> bool:
        return bool(
            self.language_model_enabled
            and self.language_model_base_url
            and self.language_model_name
        )

    @property
    def effective_oms_base_url(self) -> str:
        return self.oms_base_url or f"{get_settings().sandbox_base_url}/sandbox/oms"

    @property
    def support_by_email(self) -> bool:
        return bool(self.support_email and not self.support_base_url)

    @property
    def effective_support_base_url(self) -> str:
        return self.support_base_url or f"{get_settings().sandbox_base_url}/sandbox/support"


@lru_cache
def get_conversation_settings() -> ConversationSettings:
    return ConversationSettings()
