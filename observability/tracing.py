"""OpenTelemetry traces: from the OMS's signal through the workflow and its activities to
the provider call and the status callback.

Temporal's ``TracingInterceptor`` on the client carries the trace context in the headers of
each signal and start; the worker (which takes the client's interceptors) continues it in
the workflow and every activity. The send activity's callback URL carries the context too
(``traceparent``), so the provider's status callback joins the same trace in the HTTP
service. Spans go to OTLP when the standard variables ask for it
(``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``). When nothing
takes them, none are made: OpenTelemetry's API stays a no-op and Temporal gets no tracing
interceptor, since making and dropping the spans (and carrying their context in every
signal's and activity's headers) costs CPU on every request and milestone for nobody
(bench/README.md, session 8).
"""

from __future__ import annotations

import os

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from temporalio.client import Interceptor
from temporalio.contrib.opentelemetry import TracingInterceptor

OTLP_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
TRACER_NAME = "herald"


_exporting = False  # set by configure_tracing: does anything take this process's spans?


def configure_tracing(service_name: str, *processors: SpanProcessor) -> TracerProvider | None:
    """This process's tracer provider: OTLP export when configured, plus ``processors``;
    None (no spans at all) when there is neither."""
    global _exporting
    exporting = any(os.environ.get(v) for v in OTLP_VARIABLES)
    if not exporting and not processors:
        return None
    _exporting = True
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME", service_name)})
    )
    if exporting:
        # The exporter reads the endpoint, headers and timeout from the standard variables.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    for processor in processors:
        provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    return provider


def tracing_interceptors() -> list[Interceptor]:
    """The client's interceptors (a worker built on the client takes them as well): none
    unless this process exports its spans (``configure_tracing`` first)."""
    return [TracingInterceptor(trace.get_tracer(TRACER_NAME))] if _exporting else []


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)
