"""Run the HTTP service: python -m api"""

import uvicorn

from config.settings import get_settings

if __name__ == "__main__":
    settings = get_settings()
    uvicorn.run(
        "api.app:app", host=settings.http_host, port=settings.http_port, log_level="warning"
    )
