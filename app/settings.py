"""Typed settings from ``ZSB_*`` environment variables.

Every platform's base URL is a setting so tests and the demo can point it at a simulator in
``sandbox/``. In tests, a platform that a test does not configure points at ``UNREACHABLE``, an
address that refuses connections at once, so a forgotten configuration fails loudly.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

UNREACHABLE = "http://127.0.0.1:9"  # discard port: connection refused, never a real platform
# the development seal key that ships in this repository (a production start refuses it)
DEV_SEAL_KEY_FILE = str(Path(__file__).parent / "certificates" / "devkeys" / "dev-seal-1.pem")

# Secrets that ship with the code for local development. A production start refuses them.
DEV_SECRETS: dict[str, str] = {
    "jwt_secret": "dev-only-jwt-secret-change-me-0123456789abcdef",
    "pii_keys": "k1:ZGV2LW9ubHktcGlpLWtleS0zMi1ieXRlcy1sb25nISE=",
    "pii_index_key": "dev-only-blind-index-key-change-me",
    "state_secret": "dev-only-state-secret-change-me",
    "case_chain_keys": "c1:ZGV2LW9ubHktY2FzZS1jaGFpbi1rZXktMzJieXRlcyE=",
}


# each platform by name (as ZSB_DISABLED_PLATFORMS names it) and its base-URL settings
PLATFORM_URLS: dict[str, tuple[str, ...]] = {
    "sms": ("sms_api_base",),
    "wechat": ("wechat_api_base",),
    "wechatpay": ("wechatpay_api_base",),
    "alipay": ("alipay_gateway",),
    "idcheck": ("idcheck_api_base",),
    "face": ("face_api_base",),
    "jpush": ("jpush_api_base",),
    "carrier": ("carrier_api_base",),
    "kuaidi100": ("kuaidi100_api_base",),
    "haocp": ("haocp_api_base",),
    "hotline": ("hotline_api_base",),
    "licence": ("licence_api_base",),
}
DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "asyncpg")
REDIS_SCHEMES = ("redis", "rediss", "unix")


def is_loopback_url(url: str) -> bool:
    """Does ``url`` name this machine (or nothing at all)?"""
    host = (urlsplit(url).hostname or "").lower()
    if host in {"", "localhost"} or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZSB_", extra="ignore", frozen=True)

    env: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    public_base_url: str = "http://127.0.0.1:8000"
    # where citizens open the H5 pages (``{h5_base_url}/h5/…``); empty = ``public_base_url``
    h5_base_url: str = ""
    log_level: str = "INFO"
    # a stop (SIGTERM/SIGINT) ends every process of the server within this many seconds:
    # Sanic's graceful stop gets half of it for in-flight requests, then what is left is killed
    shutdown_grace_seconds: float = 20.0
    access_log: bool = False
    proxies_count: int = 0  # trusted reverse proxies in front (for the client IP in rate limits)

    database_url: str = "sqlite://var/zsb.sqlite3"
    db_pool_max: int = 20  # PostgreSQL connections per process
    # SQLite in WAL mode: NORMAL syncs at checkpoints, so a process crash loses nothing but a
    # power loss or OS crash may lose the last commits (SQLite's advice for WAL); FULL adds
    # one fsync per commit
    sqlite_synchronous: Literal["NORMAL", "FULL", "EXTRA"] = "NORMAL"
    # allocations between young-generation collections in each worker (Python's default
    # is 700: a request allocates thousands of objects, so it collected several times per
    # request); 0 keeps Python's default
    gc_young_threshold: int = 50_000
    redis_url: str | None = None
    # each Redis command (and connect) gives up after this long, well under the request
    # timeout: a frozen Redis answers 503 fast instead of stalling every request
    redis_socket_timeout: float = Field(default=0.5, gt=0, le=10)
    kv_prefix: str = "zsb:"
    upload_dir: str = "var/uploads"
    # where materials and generated documents are kept (sealed either way): ``local`` (the
    # folder ``upload_dir``) or ``s3`` (an S3-compatible bucket, for several hosts)
    storage: Literal["local", "s3"] = "local"
    s3_endpoint_url: str = ""  # empty = AWS itself; e.g. http://minio:9000
    s3_bucket: str = "zsb"
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr = SecretStr("")
    upload_max_bytes: int = 10 * 1024 * 1024
    request_max_bytes: int = 12 * 1024 * 1024
    request_timeout: int = 30
    response_timeout: int = 30
    http_timeout: float = 10.0  # every outbound platform call
    catalogue_cache_seconds: float = 5.0

    # tokens
    jwt_secret: SecretStr = SecretStr(DEV_SECRETS["jwt_secret"])
    jwt_issuer: str = "zsb"
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    state_secret: SecretStr = SecretStr(DEV_SECRETS["state_secret"])

    # personal data: "kid:base64key,kid2:base64key" (first is current) and the blind-index key
    pii_keys: SecretStr = SecretStr(DEV_SECRETS["pii_keys"])
    pii_index_key: SecretStr = SecretStr(DEV_SECRETS["pii_index_key"])
    # the case timeline's HMAC-SM3 chain (app/cases/chain.py): "kid:base64key,…", first signs
    case_chain_keys: SecretStr = SecretStr(DEV_SECRETS["case_chain_keys"])
    case_chain_audit_interval_seconds: float = 6 * 3600

    # one-time codes (app channel login)
    otp_ttl_seconds: int = 300
    otp_resend_seconds: int = 60
    otp_max_attempts: int = 5
    otp_per_phone_per_hour: int = 10
    otp_per_ip_per_hour: int = 30

    # working-day calendar: extra days as "2027-01-01:holiday,2027-02-07:workday"
    calendar_overrides: str = ""

    # hall appointments (预约): this many no-shows within the window restrict booking for a while
    appointment_no_show_limit: int = 3
    appointment_no_show_window_days: int = 90
    appointment_restrict_days: int = 30

    # SMS platform
    sms_api_base: str = UNREACHABLE
    sms_app_id: str = "zsb-dev"
    sms_app_secret: SecretStr = SecretStr("dev-sms-secret")
    sms_sign_name: str = "掌上办"
    sms_otp_template: str = "SMS_OTP_001"
    sms_notice_template: str = "SMS_NOTICE_001"

    # WeChat official account
    wechat_appid: str = "wx0000000000000000"
    wechat_secret: SecretStr = SecretStr("dev-wechat-secret")
    wechat_token: SecretStr = SecretStr("dev-wechat-token")
    wechat_aes_key: SecretStr | None = None
    wechat_api_base: str = UNREACHABLE
    wechat_open_base: str = "https://open.weixin.qq.com"
    wechat_original_id: str = "gh_000000000000"
    wechat_template_id: str = "TPL_CASE_PROGRESS"  # default template message (办件进度提醒)
    wechat_subscribe_template_id: str = "SUB_CASE_PROGRESS"  # default subscribe notification
    wechat_longterm_templates: str = ""  # comma-separated subscribe templates that are 长期订阅

    # WeChat Pay API v3
    wechatpay_api_base: str = UNREACHABLE
    wechatpay_mchid: str = "1900000000"
    wechatpay_appid: str = "wx0000000000000000"
    wechatpay_app_appid: str = "wx0000000000000001"
    wechatpay_serial_no: str = "DEV0000000000000000000000000000000000000"
    wechatpay_private_key_file: str = ""
    wechatpay_apiv3_key: SecretStr = SecretStr("dev-apiv3-key-32-bytes-long-0000")
    wechatpay_platform_public_key_file: str = ""
    wechatpay_platform_key_id: str = ""
    payment_expiry_minutes: int = 30  # unpaid orders are closed after this

    # Alipay open platform
    alipay_gateway: str = UNREACHABLE
    alipay_app_id: str = "2021000000000000"
    alipay_seller_id: str = "2088000000000000"
    alipay_private_key_file: str = ""
    alipay_public_key_file: str = ""
    alipay_template_id: str = "ALI_CASE_PROGRESS"  # default mini-program subscription template
    # the mini-program's page holding a <web-view>: an H5 link opens there as ``?url=``
    alipay_webview_page: str = "pages/webview/index"

    # ID verification (two-factor) and face verification
    idcheck_api_base: str = UNREACHABLE
    idcheck_app_key: str = "zsb-dev"
    idcheck_app_secret: SecretStr = SecretStr("dev-idcheck-secret")
    face_api_base: str = UNREACHABLE
    face_app_secret: SecretStr = SecretStr("dev-face-secret")

    # app push (JPush v3)
    jpush_api_base: str = UNREACHABLE
    jpush_app_key: str = "dev-jpush-app-key"
    jpush_master_secret: SecretStr = SecretStr("dev-jpush-master-secret")
    # iOS pushes go through APNs' production environment (App Store builds) unless set false
    # (development builds); unset, it follows ZSB_ENV: production only in production
    jpush_apns_production: bool | None = None

    # courier: booking (EMS-style) and tracking (kuaidi100)
    carrier_api_base: str = UNREACHABLE
    carrier_partner_id: str = "zsb-dev"
    carrier_check_word: SecretStr = SecretStr("dev-carrier-check-word")
    kuaidi100_api_base: str = UNREACHABLE
    kuaidi100_key: SecretStr = SecretStr("dev-kuaidi100-key")
    kuaidi100_customer: str = "DEVCUSTOMER"
    kuaidi100_salt: SecretStr = SecretStr("dev-kuaidi100-salt")
    express_poll_stale_minutes: int = 240  # query shipments without news for this long
    express_poll_interval_seconds: int = 300
    express_resubscribe_minutes: int = 30  # after an abort push

    # 好差评 system of the province (reports of ratings, 整改 and 申诉 outcomes)
    haocp_api_base: str = UNREACHABLE
    haocp_app_id: str = "zsb-dev"
    haocp_secret: SecretStr = SecretStr("dev-haocp-secret")
    haocp_system_code: str = "ZSB"  # our system's code in the province's records
    haocp_region_code: str = "330100"  # 行政区划代码 of the reporting government
    # 12345 hotline system: dispatches and feedback in (signed), replies out (signed)
    hotline_api_base: str = UNREACHABLE
    hotline_app_id: str = "zsb-dev"  # our id at the hotline, on what we send
    hotline_peer_id: str = "hotline-dev"  # the hotline's id, on what it sends us
    hotline_secret: SecretStr = SecretStr("dev-hotline-secret")

    # ratings and tickets (every period in working days of the calendar above, unless named)
    rating_change_days: int = 7  # calendar days in which a rating may be changed, once
    rectification_limit_days: int = 15  # 差评整改 (国办发〔2019〕51号)
    rerate_days: int = 15  # calendar days to re-rate (追评) after the 整改 reply
    ticket_limit_days: dict[str, int] = {
        "consult": 1, "complaint": 5, "suggestion": 5, "help": 3, "report": 5,
    }
    ticket_confirm_days: int = 7  # calendar days to confirm a reply before it closes by itself
    ticket_anonymous_types: str = "report"  # comma-separated types that may be anonymous
    # certificates (电子证明) and their seals: "DEPT:KEY_ID:SOURCE[,…]", SOURCE a PEM file (a
    # private key signs, a public one only verifies: a retired key) or "hex:<private scalar>".
    # Per department the first private key listed signs and every listed key verifies, so keys
    # rotate and old certificates stay verifiable; DEPT "*" serves departments without a key
    # of their own, and the first key listed signs the revocation list
    seal_keys: str = f"*:dev-seal-1:{DEV_SEAL_KEY_FILE}"
    verify_per_ip_per_minute: int = 30  # GET /verify/<code>, against enumeration
    certificate_valid_days: int = 180  # when an item's result template names no validity
    licence_show_seconds: int = 60  # 亮证: how long a shown licence's QR code holds
    licence_show_secret: SecretStr = SecretStr("dev-licence-show-secret")

    # licence library (电子证照库, the provincial 证照共享 service)
    licence_api_base: str = UNREACHABLE
    licence_app_id: str = "zsb-dev"
    licence_app_secret: SecretStr = SecretStr("dev-licence-app-secret")
    licence_public_key: str = ""  # the library's SM2 public key, hex 04‖x‖y

    # market-regulation registry (企业登记信息: legal representatives of companies)
    registry_api_base: str = UNREACHABLE
    registry_app_id: str = "zsb-dev"
    registry_app_secret: SecretStr = SecretStr("dev-registry-app-secret")

    # each worker logs its event loop's lag once a period (seconds; 0 = off): see app/loop_lag.py
    loop_lag_report_seconds: float = 0.0

    # per-worker background jobs (order expiry, tracking polls, push dispatch …)
    background_tasks: bool = True

    # push pipeline
    dispatcher_enabled: bool = True
    quiet_hours: str = "22:00-08:00"
    # a campaign reaching more people than this waits for an admin's approval before it sends
    campaign_approval_threshold: int = 10_000

    # platforms this deployment does not use ("alipay,hotline"): a production start checks
    # the URLs of the others only; a call to a switched-off platform still fails as an outage
    disabled_platforms: str = ""

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: str) -> str:
        scheme = value.partition("://")[0]
        if "://" not in value or scheme not in DATABASE_SCHEMES:
            raise ValueError(f"unknown scheme {scheme!r}: use sqlite://path or "
                             "postgres://user:pass@host:5432/db")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        scheme = value.partition("://")[0]
        if "://" not in value or scheme not in REDIS_SCHEMES:
            raise ValueError(f"unknown scheme {scheme!r}: use redis://host:6379/0 or rediss://…")
        return value

    @field_validator("disabled_platforms")
    @classmethod
    def _known_platforms(cls, value: str) -> str:
        unknown = sorted(set(_names(value)) - set(PLATFORM_URLS))
        if unknown:
            raise ValueError(f"unknown platform {', '.join(unknown)}; "
                             f"known: {', '.join(PLATFORM_URLS)}")
        return value

    @property
    def enabled_platforms(self) -> list[str]:
        off = set(_names(self.disabled_platforms))
        return [name for name in PLATFORM_URLS if name not in off]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _production_secrets(self) -> Settings:
        if self.env != "production":
            return self
        # every secret that ships with a development value: a callback checked with a value
        # anyone can read in this repository could be forged by anyone
        shipped = [
            name for name, field in type(self).model_fields.items()
            if isinstance(field.default, SecretStr)
            and getattr(self, name).get_secret_value() in ("", field.default.get_secret_value())
        ]
        if shipped:
            names = ", ".join(f"ZSB_{n.upper()}" for n in shipped)
            raise ValueError(f"{names} must be set to real secrets in production")
        if _ships_dev_seal(self.seal_keys):
            raise ValueError("ZSB_SEAL_KEYS must name real seal keys in production "
                             "(the development seal key ships with the code)")
        if len(self.jwt_secret.get_secret_value()) < 32:
            raise ValueError("ZSB_JWT_SECRET must be at least 32 characters in production")
        self._production_urls()
        return self

    def _production_urls(self) -> None:
        """Every platform that is on must be reached somewhere real, and the platforms must
        be able to call us back."""
        for platform in self.enabled_platforms:
            for name in PLATFORM_URLS[platform]:
                url = getattr(self, name)
                if url == UNREACHABLE or is_loopback_url(url):
                    raise ValueError(
                        f"ZSB_{name.upper()}={url} is not a reachable {platform} address in "
                        f"production: set the real one, or switch the platform off with "
                        f"ZSB_DISABLED_PLATFORMS={platform}")
        if self.enabled_platforms and is_loopback_url(self.public_base_url):
            raise ValueError(
                f"ZSB_PUBLIC_BASE_URL={self.public_base_url} is this machine: platforms and "
                "citizens could not reach its callbacks and links; set the public https address")

    def masked(self) -> dict[str, object]:
        """Settings as printed at start-up: secrets masked, nothing else hidden."""
        out: dict[str, object] = {}
        for name, value in self.model_dump().items():
            if isinstance(getattr(self, name), SecretStr):
                out[name] = "***" if value else ""
            elif name in {"database_url", "redis_url"} and value and "@" in str(value):
                scheme, _, rest = str(value).partition("://")
                out[name] = f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
            else:
                out[name] = value
        return out


def _ships_dev_seal(spec: str) -> bool:
    """Does ``spec`` name the shipped development seal key (by path or by content)?"""
    dev = Path(DEV_SEAL_KEY_FILE).read_bytes().strip()
    for entry in filter(None, (e.strip() for e in spec.split(","))):
        source = entry.split(":", 2)[-1]
        if source.startswith("hex:"):
            continue
        path = Path(source)
        if path.resolve() == Path(DEV_SEAL_KEY_FILE).resolve() or (
            path.is_file() and path.read_bytes().strip() == dev
        ):
            return True
    return False


def _names(spec: str) -> list[str]:
    return [n.strip().lower() for n in spec.split(",") if n.strip()]


def _without_password(value: object) -> str:
    text = str(value)
    scheme, sep, rest = text.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return text


def describe_error(exc: ValidationError) -> str:
    """One line for a person: the setting's variable and what is wrong with it."""
    parts = []
    for err in exc.errors(include_url=False):
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        loc = [str(p) for p in err.get("loc", ())]
        if loc:
            value = err.get("input")
            field = Settings.model_fields.get(loc[0])
            secret = field is not None and "SecretStr" in str(field.annotation)
            shown = "" if isinstance(value, dict) or secret else f"={_without_password(value)}"
            parts.append(f"ZSB_{loc[0].upper()}{shown}: {message}")
        else:
            parts.append(message)
    return "; ".join(parts)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    get_settings.cache_clear()
