"""The benchmark stack's set-up, shared by the benchmarks that start one: settings, policy, signals.

``bench_settings`` puts every process on a free port over a throwaway data folder with the
sender's rate limit lifted; ``NEUTRAL_POLICY`` opens up the send-policy rules that hold SMS.
"""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path
from types import FrameType

from config.settings import Settings
from devstack.processes import free_port

SENDER_RATE = 10_000.0  # messages/s: far above any rate here, so the throttle never waits
# Send-policy rules that hold or merge SMS by design (quiet hours, coalescing "out for
# delivery" into "delivered", a long code's 2,000 SMS a day): opened up so that every
# milestone is sent at any hour of the day, however many a run sends. The policy's checks
# still run and are measured; only their waiting is off.
NEUTRAL_POLICY = {
    "HERALD_SENDING_WINDOW": '{"start": "00:00", "end": "23:59:59.999999"}',
    "HERALD_COALESCING__OUT_FOR_DELIVERY__HOLD_SECONDS": "0",
    # The sandbox's sender is a long code; both fields, since an entry replaces the default.
    "HERALD_SENDER_LIMITS__LONG_CODE__MESSAGES_PER_SECOND": str(SENDER_RATE),
    "HERALD_SENDER_LIMITS__LONG_CODE__DAILY_CAP": str(10**9),
}


def bench_settings(root: Path, callback_delay: float, workflow_sandbox: bool) -> Settings:
    return Settings(
        workflow_sandbox=workflow_sandbox,  # both systems' workers read it
        temporal_address=f"127.0.0.1:{free_port()}",
        temporal_ui_port=free_port(),
        data_dir=root / "data",
        database_url="",  # SQLite under data_dir, the default store
        http_port=free_port(),
        worker_http_port=free_port(),
        public_base_url="",
        sandbox_port=free_port(),
        sandbox_smtp_port=free_port(),
        sandbox_callback_delay_seconds=callback_delay,
        sms_sender_messages_per_second=SENDER_RATE,
        twilio_account_sid="",
        twilio_api_base_url="",
        # An explicit throwaway key: no development key file for the processes to race on.
        payload_keys=f"bench:{base64.b64encode(os.urandom(32)).decode()}",
    )


def progress(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def _stop_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds through the finally that stops the stack
