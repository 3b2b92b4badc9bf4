"""OpenTelemetry traces: from the OMS's signal through the workflow and its activities to
the provider call and the status callback.

Temporal's ``TracingInterceptor`` on the client carries the trace context in the headers of
each signal and start; the worker (which takes the client's interceptors) continues it in
the workflow and every activity. The send activity's callback URL carries the context too
(``traceparent``), so the provider's status callback joins the same trace in the HTTP
service. Spans go to OTLP when the standard variables ask for it
(``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``); otherwise
they are made (cheaply) and dropped.
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


def configure_tracing(service_name: str, *processors: SpanProcessor) -> TracerProvider:
    """This process's tracer provider; OTLP export when configured, plus ``processors``."""
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME", service_name)})
    )
    if any(os.environ.get(v) for v in OTLP_VARIABLES):
        # The exporter reads the endpoint, headers and timeout from the standard variables.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    for processor in processors:
        provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    return provider


def tracing_interceptors() -> list[Interceptor]:
    """The client's interceptors; a worker built on the client takes them as well."""
    return [TracingInterceptor(trace.get_tracer(TRACER_NAME))]


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)
