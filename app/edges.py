"""The platform clients of this process, built lazily from settings.

The core asks for an edge by name; which module builds it is written down here and nowhere
else, so the core never imports a platform.
"""

from __future__ import annotations

import importlib
from typing import Any

import aiohttp

from app.kv import KeyValue
from app.settings import Settings

# name → "module:build"; build(settings, http, kv) returns the client
EDGE_FACTORIES: dict[str, str] = {
    "sms": "channels.sms.client:build",
    "app_login": "channels.app.login:build",
    "wechat": "channels.wechat.client:build",
    "wechat_login": "channels.wechat.login:build",
    "wechatpay": "channels.wechatpay.payment:build",
    "alipay": "channels.alipay.client:build",
    "alipay_pay": "channels.alipay.payment:build",
    "alipay_login": "channels.alipay.login:build",
    "idcheck": "channels.idcheck.client:build",
    "face": "channels.idcheck.face:build",
    "jpush": "channels.jpush.client:build",
    "kuaidi100": "channels.express.kuaidi100:build",
    "carrier": "channels.express.carrier:build",
    "notify.sms": "channels.sms.notifier:build",
    "notify.app_push": "channels.jpush.notifier:build",
    "notify.wechat_template": "channels.wechat.notifier:build_template",
    "notify.wechat_subscribe": "channels.wechat.notifier:build_subscribe",
    "notify.alipay_subscribe": "channels.alipay.notifier:build",
}


class Edges:
    def __init__(self, settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> None:
        self.settings = settings
        self.http = http
        self.kv = kv
        self._built: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        edge = self._built.get(name)
        if edge is None:
            module, _, func = EDGE_FACTORIES[name].partition(":")
            build = getattr(importlib.import_module(module), func)
            edge = self._built[name] = build(self.settings, self.http, self.kv)
        return edge

    def available(self, name: str) -> bool:
        try:
            self.get(name)
        except (ImportError, AttributeError):
            return False
        return True
