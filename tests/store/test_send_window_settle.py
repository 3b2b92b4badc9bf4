import pytest

from store.repository import Store


def test_a_settled_permit_is_reused_a_full_window_after_the_provider_answered(
    store: Store,
) -> None:
    limiter = store.sender_limiter
    granted = limiter.acquire("+15005550006", 1.0, now=100.0)
    assert granted.granted
    limiter.settle("+15005550006", granted.at, sent_at=100.4)  # the call took 0.4 s

    early = limiter.acquire("+15005550006", 1.0, now=101.1)  # a window after the stamp...

    assert not early.granted  # ...but not after the send the provider saw
    assert early.retry_at == pytest.approx(101.4)
    assert limiter.acquire("+15005550006", 1.0, now=101.4).granted
