"""Client of the 好差评 system: one signed ``POST`` per report (``docs/haocp-and-12345.md``).

Idempotent by the report's ``reportKey``: the province answers a key it holds with the same
receipt and ``duplicate: true``, so the outbound job may send it as often as it must.
"""

from __future__ import annotations

import aiohttp

from app.kv import KeyValue
from app.ratings.reports import Report, ReportReceipt
from app.settings import Settings
from channels import govsign
from channels.haocp import messages
from channels.haocp.errors import CODES


class HaocpClient:
    def __init__(self, settings: Settings, http: aiohttp.ClientSession) -> None:
        self.base = settings.haocp_api_base.rstrip("/")
        self.appid = settings.haocp_app_id
        self.secret = settings.haocp_secret.get_secret_value()
        self.system_code = settings.haocp_system_code
        self.region_code = settings.haocp_region_code
        self.http = http

    async def report(self, report: Report) -> ReportReceipt:
        path, doc = messages.request_for(report, self.system_code, self.region_code)
        data = await govsign.post_signed(self.http, self.base, path, doc, appid=self.appid,
                                         secret=self.secret, key=report.key, system="好差评 system")
        CODES.raise_for(data)
        answer = govsign.answer_data(data)
        return ReportReceipt(receipt_no=str(answer.get("receiptNo") or ""),
                             duplicate=bool(answer.get("duplicate")), raw=data)


def build(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> HaocpClient:
    return HaocpClient(settings, http)
