"""The merchant's identity that every template shows: name, support contact, tracking link."""

from __future__ import annotations

from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from config.settings import get_settings


class Brand(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=60)
    support_contact: str = Field(min_length=1)
    tracking_base_url: str = Field(pattern=r"^https?://\S+$")

    def tracking_link(self, key: str) -> str:
        """The brand's own tracking page for an order, return or parcel."""
        return f"{self.tracking_base_url.rstrip('/')}/{quote(key, safe='')}"


def default_brand() -> Brand:
    """The brand set once in settings (``HERALD_BRAND_*``)."""
    settings = get_settings()
    return Brand(
        name=settings.brand_name,
        support_contact=settings.brand_support_contact,
        tracking_base_url=settings.brand_tracking_base_url,
    )
