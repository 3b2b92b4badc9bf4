# Herald: one image for the worker (`python worker.py`), the HTTP service
# (`uvicorn api.app:app`) and the migrations (`alembic -c store/alembic.ini upgrade head`).
# Tag from the official python image's list of supported tags (3.11.x, slim, Debian bookworm).
FROM python:3.11.14-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 herald \
 && useradd --system --uid 10001 --gid herald --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin herald

WORKDIR /app

# Runtime dependencies first, read from pyproject.toml's [project].dependencies (not the
# `dev` extra), so that a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# The project itself. The source tree stays in /app: `python worker.py` runs from it and
# Alembic needs store/alembic.ini and store/migrations/ next to each other. The workflow
# sandbox imports workflows/ again for every workflow run: ship its bytecode, since
# PYTHONDONTWRITEBYTECODE (and a tree the herald user cannot write) rule out writing it later.
COPY . .
RUN pip install --no-cache-dir . \
 && python -m compileall -q workflows \
 && rm -rf build ./*.egg-info \
 && mkdir -p /app/.data \
 && chown herald:herald /app/.data

USER herald

EXPOSE 8080
CMD ["python", "worker.py"]
