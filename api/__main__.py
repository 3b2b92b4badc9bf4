"""Run the HTTP service: python -m api (JSON log lines, traces when OTLP is configured)."""

import uvicorn

from config.settings import get_settings
from observability.logs import configure_logging
from observability.tracing import configure_tracing

if __name__ == "__main__":
    settings = get_settings()
    configure_logging("http")
    configure_tracing("herald-http")
    uvicorn.run(
        "api.app:app",
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # uvicorn's lines go through the JSON handler above
    )
