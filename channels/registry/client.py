"""The registry client (``EnterpriseRegistry``): requests signed as every government edge's
are (``channels/govsign.py``), typed errors, the registry's status words read into
``EnterpriseStatus``. The HTTP session's timeout applies (``ZSB_HTTP_TIMEOUT``)."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import aiohttp

from app.interfaces import EnterpriseRecord, EnterpriseStatus, RetryableProviderError
from channels import govsign
from channels.registry.errors import CODES, RegistryCode, RegistryUnavailable

log = logging.getLogger(__name__)
LOOKUP = "/v1/enterprises/lookup"
# 登记状态: the words and the codes of the registry's 企业状态 list
STATUSES = {"存续": EnterpriseStatus.active, "在业": EnterpriseStatus.active,
            "1": EnterpriseStatus.active, "2": EnterpriseStatus.active,
            "吊销": EnterpriseStatus.revoked, "3": EnterpriseStatus.revoked,
            "注销": EnterpriseStatus.deregistered, "4": EnterpriseStatus.deregistered}


class RegistryClient:
    def __init__(self, http: aiohttp.ClientSession, *, base_url: str, app_id: str,
                 app_secret: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self.app_secret = app_secret

    async def lookup(self, credit_code: str) -> EnterpriseRecord | None:
        try:
            data = await govsign.post_signed(
                self.http, self.base_url, LOOKUP, {"credit_code": credit_code},
                appid=self.app_id, secret=self.app_secret, key=secrets.token_hex(16),
                system="market-regulation registry")
        except RetryableProviderError as exc:
            raise RegistryUnavailable(str(exc), code=exc.code) from exc
        if str(data.get("code")) == RegistryCode.ENTERPRISE_NOT_FOUND.value:
            return None
        if str(data.get("code")) != RegistryCode.OK.value:
            log.warning("registry lookup: %s request_id=%s", data.get("code"),
                        data.get("request_id"))
        CODES.raise_for(data)
        try:
            return record(govsign.answer_data(data)["enterprise"])
        except (KeyError, TypeError, ValueError) as exc:
            raise RegistryUnavailable("lookup: unreadable enterprise") from exc


def record(raw: dict[str, Any]) -> EnterpriseRecord:
    """KeyError / ValueError on a record missing what the protocol promises."""
    rep = raw["legal_rep"]
    status = STATUSES.get(str(raw.get("status_code") or ""), None) or STATUSES[str(raw["status"])]
    return EnterpriseRecord(
        credit_code=str(raw["credit_code"]), name=str(raw["name"]),
        legal_rep_name=str(rep["name"]), legal_rep_id_number=str(rep["id_number"]),
        status=status,
    )


def build(settings: Any, http: aiohttp.ClientSession, kv: Any) -> RegistryClient:
    return RegistryClient(http, base_url=settings.registry_api_base,
                          app_id=settings.registry_app_id,
                          app_secret=settings.registry_app_secret.get_secret_value())
