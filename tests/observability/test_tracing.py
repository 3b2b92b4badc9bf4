"""Spans are made only when something takes them: with no exporter there is no tracer
provider and no Temporal tracing interceptor (their cost bought nothing)."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.contrib.opentelemetry import TracingInterceptor

from observability import tracing


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracing, "_exporting", False)
    for variable in tracing.OTLP_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


def test_with_nothing_to_export_no_span_is_made(fresh: None) -> None:
    assert tracing.configure_tracing("herald-test") is None
    assert tracing.tracing_interceptors() == []


def test_an_exporter_turns_tracing_on(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracing.trace, "set_tracer_provider", lambda provider: None)
    provider = tracing.configure_tracing("herald-test", SimpleSpanProcessor(InMemorySpanExporter()))
    assert provider is not None
    [interceptor] = tracing.tracing_interceptors()
    assert isinstance(interceptor, TracingInterceptor)
