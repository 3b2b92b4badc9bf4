"""The whole local stack: Temporal dev server, sandbox, HTTP service and worker(s).

``make run`` runs it with the default settings; the end-to-end tests and the benchmark run
their own copy on free ports with a throwaway data folder.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from config.settings import Settings
from devstack.demo_returns import prepare_demo_returns
from devstack.processes import (
    BIN_DIR,
    ManagedProcess,
    environment,
    free_port,
    python,
    wait_for_port,
)
from store.migrate import upgrade
from workflows.search_attributes import ALL as SEARCH_ATTRIBUTES

STARTUP_TIMEOUT = 60.0
# The dev server's SQLite otherwise commits with a rollback journal and a full fsync per
# write. WAL with NORMAL sync survives a crash of the server process (a power loss can drop
# the last commits), the right trade for an embedded development stack.
SQLITE_PRAGMAS = ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]
TEMPORAL_START_ATTEMPTS = 3  # see start_temporal
# One partition per task queue instead of the server's four. Partitions spread a queue over
# matching hosts; a one-node server gains nothing from them, and a new order's first
# workflow task (it goes to the normal queue, which gets a fifth of a worker's polls) could
# wait in a partition no poll was on: p99 1.4 s at 40 milestones/s, 0.16 s with one
# partition (bench/README.md, session 5).
SINGLE_PARTITION = [
    "--dynamic-config-value",
    "matching.numTaskqueueReadPartitions=1",
    "--dynamic-config-value",
    "matching.numTaskqueueWritePartitions=1",
]


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as HERALD_* variables, so child processes see exactly these values."""
    values = settings.model_dump(mode="json", exclude_none=True)
    env = {
        f"HERALD_{k.upper()}": str(v) for k, v in values.items() if not isinstance(v, dict | list)
    }
    # A dump masks secrets ("**********"): the children need the values themselves.
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            env[f"HERALD_{name.upper()}"] = value.get_secret_value()
    return env


@dataclass
class Stack:
    settings: Settings
    log_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    temporal: ManagedProcess | None = None
    sandbox: ManagedProcess | None = None
    http: ManagedProcess | None = None
    workers: list[ManagedProcess] = field(default_factory=list)
    workers_started: int = 0
    worker_ports: dict[str, int] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return environment({**settings_environment(self.settings), **self.extra_env})

    def start(self, *, workers: int = 1, with_temporal: bool = True) -> Stack:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        if with_temporal:
            self.start_temporal()
        upgrade(self.settings.effective_database_url)
        prepare_demo_returns(self.settings)  # what the herald-demo returns watcher reads
        self.sandbox = self._start("sandbox", python("-m", "sandbox"))
        self.http = self._start("http", python("-m", "api"))
        wait_for_port(
            self.settings.sandbox_host,
            self.settings.sandbox_port,
            timeout=STARTUP_TIMEOUT,
            process=self.sandbox.process,
        )
        wait_for_port(
            self.settings.http_host,
            self.settings.http_port,
            timeout=STARTUP_TIMEOUT,
            process=self.http.process,
        )
        for _ in range(workers):
            self.start_worker()
        return self

    def start_temporal(self) -> None:
        host, _, port = self.settings.temporal_address.rpartition(":")
        args = [
            str(BIN_DIR / "temporal"),
            "server",
            "start-dev",
            "--ip",
            host,
            "--port",
            port,
            "--ui-port",
            str(self.settings.temporal_ui_port),
            # Support reads decrypted, masked payloads, and the Queries tab can encode.
            "--ui-codec-endpoint",
            self.settings.codec_endpoint,
            "--ui-disable-news-fetch",  # nothing here reaches the internet
            "--db-filename",
            str(self.settings.data_dir / "temporal.sqlite3"),
            "--namespace",
            self.settings.temporal_namespace,
            "--log-level",
            "error",
            *SQLITE_PRAGMAS,
            *SINGLE_PARTITION,
        ]
        for key in SEARCH_ATTRIBUTES:
            args += ["--search-attribute", f"{key.name}=Keyword"]
        # A port picked free a moment ago can be taken meanwhile (the ephemeral range is
        # shared with every outgoing connection on the machine): the server then exits at
        # once. Such a collision is brief, so the same ports are tried again.
        for attempt in range(TEMPORAL_START_ATTEMPTS):
            self.temporal = self._start("temporal", args)
            try:
                wait_for_port(
                    host, int(port), timeout=STARTUP_TIMEOUT, process=self.temporal.process
                )
                return
            except RuntimeError:
                if attempt == TEMPORAL_START_ATTEMPTS - 1:
                    raise
                time.sleep(1.0)

    def restart_http(self, **overrides: str) -> None:
        """The HTTP service again, with ``HERALD_*`` ``overrides`` on top of the stack's
        settings (none: as the stack started it), e.g. a smaller intake backlog for a test."""
        if self.http is not None:
            self.http.stop()
        self.http = ManagedProcess(
            "http", python("-m", "api"), {**self.env, **overrides}, self.log_dir / "http.log"
        ).start()
        wait_for_port(
            self.settings.http_host,
            self.settings.http_port,
            timeout=STARTUP_TIMEOUT,
            process=self.http.process,
        )

    def start_worker(self) -> ManagedProcess:
        """A worker; the first serves /health, /ready and /metrics on the configured port,
        any other on a free one (``worker_ports`` says which)."""
        self.workers_started += 1
        port = self.settings.worker_http_port if self.workers_started == 1 else free_port()
        name = f"worker-{self.workers_started}"
        worker = ManagedProcess(
            name,
            python("worker.py"),
            {**self.env, "HERALD_WORKER_HTTP_PORT": str(port)},
            self.log_dir / f"{name}.log",
        ).start()
        self.worker_ports[name] = port
        self.workers.append(worker)
        return worker

    def stop(self) -> None:
        for process in [*self.workers, self.http, self.sandbox, self.temporal]:
            if process is not None:
                process.stop()

    def _start(self, name: str, args: list[str]) -> ManagedProcess:
        return ManagedProcess(name, args, self.env, self.log_dir / f"{name}.log").start()
