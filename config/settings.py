"""Herald's settings: environment variables with the ``HERALD_`` prefix, working defaults.

Every process (worker, HTTP service, sandbox, starter, tests) reads the same model, so a
port or a path is named in exactly one place.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

SANDBOX_ACCOUNT_SID = "AC" + "0" * 32
SANDBOX_AUTH_TOKEN = "herald-sandbox-auth-token"
# The other SMS providers' sandbox accounts (a Plivo auth id is "MA" plus 18 characters).
SANDBOX_VONAGE_API_KEY = "herald01"
SANDBOX_VONAGE_API_SECRET = "herald-sandbox-vonage-secret"
SANDBOX_VONAGE_SIGNATURE_SECRET = "herald-sandbox-vonage-signature-secret"
SANDBOX_PLIVO_AUTH_ID = "MAHERALDSANDBOX00001"
SANDBOX_PLIVO_AUTH_TOKEN = "herald-sandbox-plivo-auth-token"
SANDBOX_EASYPOST_API_KEY = "EZTKheraldsandbox0000000000000000"  # a test key's shape


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HERALD_", env_file=".env", extra="ignore")

    # Temporal
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "herald"
    temporal_ui_port: int = 8233
    data_dir: Path = PROJECT_ROOT / ".data"

    # Payload encryption: "key-id:base64-32-bytes", comma separated, newest first. Empty: a
    # development key generated once under data_dir. The Web UI reads history through the
    # HTTP service's codec endpoint, which decrypts and masks contact details.
    payload_keys: SecretStr = SecretStr("")
    # Browser origins allowed to call the codec (CORS). Empty: the Web UI's own address
    # (temporal_ui_url, or the dev server's UI beside temporal_address) and its localhost.
    web_ui_origins: str = ""
    temporal_ui_url: str = ""  # where people open the Web UI; empty: the dev server's

    # Store
    database_url: str = ""  # empty: SQLite file under data_dir
    # Migrate the schema when the worker or HTTP service starts (under a lock: one at a
    # time). Production migrates in a step of its own and sets this false; either way a
    # process refuses to start on a schema it does not know (store/migrate.py).
    migrate_on_start: bool = True

    # HTTP service (webhooks, health)
    http_host: str = "127.0.0.1"
    # Bearer tokens (comma separated, for rotation) that the routes reading or changing
    # customer data require: preferences, consent, the Web UI codec, the API description.
    # Empty: open on loopback only (development); on any other host Herald refuses to start.
    api_tokens: SecretStr = SecretStr("")
    # The Web UI may pass its user's OIDC access token to the codec
    # (TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true): set the identity provider's JWKS URL, issuer
    # and the audience its tokens carry, and the codec accepts those tokens too.
    codec_oidc_jwks_url: str = ""
    codec_oidc_issuer: str = ""
    codec_oidc_audience: str = ""
    http_port: int = 8080
    public_base_url: str = (
        ""  # how the SMS provider reaches the HTTP service; default http://host:port
    )

    # The worker's health, readiness and Prometheus endpoint (observability/worker_http.py)
    worker_http_host: str = "127.0.0.1"
    worker_http_port: int = 8091

    # SMS provider. No credentials: the local sandbox at sandbox_port with its own credentials.
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    twilio_api_base_url: str = ""  # override the provider's API host (the sandbox sets this)
    sms_sender: str = "+15005550006"  # a phone number, a short code or a messaging service SID
    # Overrides the sender's limit by kind (config/policy.py: a US long code 1/s, a short
    # code 100/s...). Empty: the kind's limit.
    sms_sender_messages_per_second: float | None = None

    # The SMS providers routing may choose from (routing/, config/routing.toml), comma
    # separated, e.g. "twilio,vonage,plivo"; each also needs its credentials unless Herald
    # runs against the sandbox. Twilio alone: no routing, Herald as before.
    sms_providers: str = "twilio"
    routing_rules_path: Path = PROJECT_ROOT / "config" / "routing.toml"

    # Vonage SMS API (official SDK). No key: the sandbox. Webhooks are signed with the
    # signature secret (HMAC, ``vonage_signature_method``), which also signs API requests.
    vonage_api_key: str = ""
    vonage_api_secret: SecretStr = SecretStr("")
    vonage_signature_secret: SecretStr = SecretStr("")
    vonage_signature_method: str = "sha256"
    vonage_rest_base_url: str = ""  # SMS API; default https://rest.nexmo.com or the sandbox
    vonage_api_base_url: str = ""  # Reports API (look-up); default https://api.nexmo.com
    # A number (digits, no "+") or an alphanumeric id (not in the US, Canada or Brazil);
    # routing's senders per country (config/routing.toml) override it per message.
    vonage_sender: str = "18005550100"
    # A customer's long text comes in one webhook per part: how long its parts are awaited
    # before the text is read as it stands (store/inbound_parts.py).
    vonage_inbound_parts_wait_seconds: float = Field(default=60.0, gt=0)

    # Plivo Message API (official SDK). No auth id: the sandbox.
    plivo_auth_id: str = ""
    plivo_auth_token: SecretStr = SecretStr("")
    plivo_api_base_url: str = ""  # default https://api.plivo.com or the sandbox
    plivo_sender: str = "+15005550007"

    # Local sandbox (Twilio-compatible Messages API, SMTP sink, push sink)
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = 8089
    sandbox_smtp_port: int = 8025
    sandbox_callback_delay_seconds: float = 0.5
    # The sandbox account's other senders (comma separated numbers, short codes, MG SIDs);
    # HERALD_SMS_SENDER is always one. Any other From is refused, as Twilio does (21606).
    sandbox_account_senders: str = ""
    # Play a trial account: Twilio prefixes every body with "Sent from your Twilio trial
    # account - ", which is what the receiving phone and the message list then show.
    sandbox_trial_account: bool = False

    # E-mail
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 0  # 0: the sandbox SMTP sink
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    email_sender: str = "Herald Notifications <notifications@herald.example>"
    email_open_tracking: bool = True  # a 1-pixel image per e-mail (reporting/open_tracking.py)

    # Push (HTTP push provider)
    push_endpoint_url: str = ""  # empty: the sandbox push sink
    push_api_key: SecretStr = SecretStr("")

    # Intake (docs/intake.md): events a second the dispatcher signals at most, signals in
    # flight at once (each is a round trip to Temporal), and the inbox backlog past which
    # sources are told to come back later (429, Retry-After).
    intake_dispatch_rate: float = Field(default=50.0, gt=0)
    intake_dispatch_in_flight: int = Field(default=16, ge=1)
    intake_max_backlog: int = Field(default=10_000, ge=1)
    # Pruning (intake/housekeeping.py): a dispatched row, and so its delivery id's dedupe,
    # is kept this long: past every source's redelivery (Shopify 4 h, EasyPost 24 h,
    # AfterShip about 68 h); an order's newest row longer, for a later payload's customer;
    # replayed or discarded dead letters this long. Interval 0: prune only by the CLI.
    intake_dispatched_retention_days: float = Field(default=7.0, ge=3.0)
    intake_order_memory_days: float = Field(default=60.0, ge=3.0)
    intake_dead_letter_retention_days: float = Field(default=30.0, ge=1.0)
    intake_prune_interval_seconds: float = Field(default=600.0, ge=0)
    # The sources' accounts (shops and their defaults; config/intake.toml), and each
    # Shopify shop's webhook secret: "shop.myshopify.com:secret", comma separated (a shop
    # named twice has two secrets, for a rotation).
    intake_config_path: Path = PROJECT_ROOT / "config" / "intake.toml"
    shopify_webhook_secrets: SecretStr = SecretStr("")
    # Carrier trackers (POST /intake/easypost, /intake/aftership): their status codes to
    # milestones, and each account's webhook secret, "account:secret" comma separated (the
    # account as named in config/intake.toml; twice: two secrets, for a rotation).
    carrier_statuses_path: Path = PROJECT_ROOT / "config" / "carrier_statuses.toml"
    easypost_webhook_secrets: SecretStr = SecretStr("")
    aftership_webhook_secrets: SecretStr = SecretStr("")
    # Returns tables (config/intake.toml [[returns]]): each watcher's database URL,
    # "name=url" separated by spaces (a URL holds credentials, so not in the file).
    returns_database_urls: SecretStr = SecretStr("")

    # EasyPost Trackers API (official SDK), for shipments no carrier webhook covers. No
    # key: the sandbox's. The tracking poller's interval (workflows/tracking_poller.py):
    # short after a change, doubling while nothing changes up to the moving cap (8 min: a
    # change reaches the customer within 10); quiet for days, up to the stale cap; it stops
    # at a final status or at the max age.
    easypost_api_key: SecretStr = SecretStr("")
    easypost_api_base_url: str = ""  # default https://api.easypost.com/v2 or the sandbox
    tracking_poll_initial_seconds: float = Field(default=120.0, gt=0)
    tracking_poll_moving_max_seconds: float = Field(default=480.0, gt=0)
    tracking_poll_stale_after_seconds: float = Field(default=72 * 3600.0, gt=0)
    tracking_poll_max_seconds: float = Field(default=4 * 3600.0, gt=0)  # once stale
    tracking_poll_due_max_seconds: float = Field(default=900.0, gt=0)  # out for delivery
    tracking_poll_max_age_seconds: float = Field(default=45 * 24 * 3600.0, gt=0)

    # Workflow behaviour
    sms_max_attempts: int = Field(
        default=3, ge=1
    )  # provider calls per SMS before e-mail takes over
    sms_retry_initial_seconds: float = 2.0
    sms_retry_max_seconds: float = 60.0
    send_timeout_seconds: float = 30.0  # per provider call; a crashed send retries after it
    # How long after a call the provider may still take its message (a slow or overloaded
    # API keeps working after our client gave up). A retry after an unanswered call looks
    # for the message this long before it sends again (activities/earlier_sends.py).
    sms_accept_window_seconds: float = Field(default=90.0, ge=0)
    delivery_report_timeout_seconds: float = 600.0  # no final report by then: fall back
    # The send activity stays open this long for the final report, which then completes it
    # (no signal, no extra workflow task); then the worker completes it with the accept and
    # a later report is signalled. 0: always signalled. Also the longest a send holds up the
    # order's next milestone or reply; a worker that crashes mid-send is retried after
    # send_timeout plus this. About the provider's usual time to a final report.
    delivery_report_wait_seconds: float = Field(default=5.0, ge=0)
    completion_grace_seconds: float = 7 * 24 * 3600.0  # after a terminal milestone
    history_event_limit: int = 2000  # continue-as-new past this many history events
    # Run workflows in Temporal's sandbox (restricted calls, a fresh module per run). On
    # for development; production workers turn it off for CPU (workflows/registry.py).
    workflow_sandbox: bool = True
    # Concurrent workflow-task polls per worker. A fifth of them serve the normal queue,
    # where every new order's first task arrives; the rest the worker's sticky queue. The
    # SDK's 5 leave one on the normal queue: new orders' first tasks waited (p99 595 ms at
    # 40 milestones/s, 206 with 10; bench/README.md, session 5).
    workflow_task_polls: int = Field(default=10, ge=2)
    # Workflows a worker keeps in memory between their tasks (the SDK's sticky cache; its
    # default is 1000). An order waits days between milestones: one evicted from the cache
    # is rebuilt from its history when its next task comes (a replay, a little CPU). About
    # 0.12 MB each: 250 kept the worker at 235 MB with 10,000 orders open (bench/README.md)
    # (bench/open_orders.py). Keep it above the orders busy at once: milestones/s times
    # (send time + report wait).
    workflow_cache_size: int = Field(default=250, ge=0)

    # Brand
    brand_name: str = "Herald Shop"
    brand_support_contact: str = "support@herald.example"
    brand_tracking_base_url: str = "https://track.herald.example"

    @property
    def uses_sandbox(self) -> bool:
        return not self.twilio_account_sid

    @property
    def effective_twilio_account_sid(self) -> str:
        return self.twilio_account_sid or SANDBOX_ACCOUNT_SID

    @property
    def effective_twilio_auth_token(self) -> str:
        """The sandbox's own token only with the sandbox's own account: a real account
        without its token fails at start (config/validation.py), and if it got this far
        its webhooks are refused rather than checked against a published constant."""
        token = self.twilio_auth_token.get_secret_value()
        if token or not self.uses_sandbox:
            return token
        return SANDBOX_AUTH_TOKEN

    @property
    def sandbox_base_url(self) -> str:
        return f"http://{self.sandbox_host}:{self.sandbox_port}"

    @property
    def effective_twilio_api_base_url(self) -> str:
        if self.twilio_api_base_url:
            return self.twilio_api_base_url
        return self.sandbox_base_url if self.uses_sandbox else "https://api.twilio.com"

    @property
    def effective_vonage_credentials(self) -> tuple[str, str, str]:
        """API key, API secret and signature secret: the sandbox's without a key."""
        if not self.vonage_api_key:
            return (
                SANDBOX_VONAGE_API_KEY,
                SANDBOX_VONAGE_API_SECRET,
                SANDBOX_VONAGE_SIGNATURE_SECRET,
            )
        return (
            self.vonage_api_key,
            self.vonage_api_secret.get_secret_value(),
            self.vonage_signature_secret.get_secret_value(),
        )

    @property
    def effective_vonage_rest_base_url(self) -> str:
        if self.vonage_rest_base_url:
            return self.vonage_rest_base_url
        return self.sandbox_base_url if not self.vonage_api_key else "https://rest.nexmo.com"

    @property
    def effective_vonage_api_base_url(self) -> str:
        if self.vonage_api_base_url:
            return self.vonage_api_base_url
        return self.sandbox_base_url if not self.vonage_api_key else "https://api.nexmo.com"

    @property
    def effective_plivo_credentials(self) -> tuple[str, str]:
        if not self.plivo_auth_id:
            return SANDBOX_PLIVO_AUTH_ID, SANDBOX_PLIVO_AUTH_TOKEN
        return self.plivo_auth_id, self.plivo_auth_token.get_secret_value()

    @property
    def effective_plivo_api_base_url(self) -> str:
        if self.plivo_api_base_url:
            return self.plivo_api_base_url
        return self.sandbox_base_url if not self.plivo_auth_id else "https://api.plivo.com"

    @property
    def effective_easypost_api_key(self) -> str:
        return self.easypost_api_key.get_secret_value() or SANDBOX_EASYPOST_API_KEY

    @property
    def effective_easypost_api_base_url(self) -> str:
        if self.easypost_api_base_url:
            return self.easypost_api_base_url
        if self.easypost_api_key.get_secret_value():
            return "https://api.easypost.com/v2"
        return f"{self.sandbox_base_url}/v2"

    @property
    def effective_public_base_url(self) -> str:
        return self.public_base_url or f"http://{self.http_host}:{self.http_port}"

    @property
    def effective_temporal_ui_url(self) -> str:
        host = self.temporal_address.rpartition(":")[0] or "127.0.0.1"
        return (self.temporal_ui_url or f"http://{host}:{self.temporal_ui_port}").rstrip("/")

    @property
    def codec_endpoint(self) -> str:
        """The remote codec for the Web UI (``--ui-codec-endpoint``) and the CLI."""
        return f"{self.effective_public_base_url.rstrip('/')}/codec"

    @property
    def effective_web_ui_origins(self) -> list[str]:
        if self.web_ui_origins:
            return [o.strip() for o in self.web_ui_origins.split(",") if o.strip()]
        ui = urlsplit(self.effective_temporal_ui_url)
        origins = [f"{ui.scheme}://{ui.netloc}"]
        if ui.hostname in {"127.0.0.1", "::1"}:  # the same UI opened as localhost
            origins.append(f"{ui.scheme}://localhost{f':{ui.port}' if ui.port else ''}")
        return origins

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'herald.sqlite3'}"

    @property
    def effective_smtp_port(self) -> int:
        return self.smtp_port or self.sandbox_smtp_port

    @property
    def effective_push_endpoint_url(self) -> str:
        return self.push_endpoint_url or f"{self.sandbox_base_url}/push/send"


@lru_cache
def get_settings() -> Settings:
    return Settings()
