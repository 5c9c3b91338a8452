"""The platform clients of this process, each built once, on first use, from settings.

The core asks for an edge by what it does (``payment(channel)``, ``notifier(channel)``,
``tracker(provider)`` …) and gets the interface it needs (``app/interfaces.py``); which module
builds it is written down here and nowhere else, so the core never imports a platform. The
imports sit inside the accessors: a process loads only the platforms it talks to, and a
checker still follows every arrow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp

from app.interfaces import (
    Booker,
    EnterpriseRegistry,
    FaceCheckProvider,
    LicenceLibrary,
    LoginProvider,
    Notifier,
    OAuthLoginProvider,
    PayChannel,
    PaymentGateway,
    RealNameProvider,
    SharingLoginProvider,
    SmsSender,
    Tracker,
)
from app.kv import KeyValue
from app.settings import Settings

if TYPE_CHECKING:  # platform types for the platform's own code (its CLI, its callbacks)
    from app.ratings.reports import RatingReporter
    from app.tickets.hotline import HotlineGateway
    from channels.wechat.callbacks import CallbackState
    from channels.wechat.client import WeChatClient

T = TypeVar("T")
Build = Callable[[Settings, aiohttp.ClientSession, KeyValue], T]


def _sms_notifier(s: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> Notifier:
    from channels.sms.notifier import build

    return build(s, http, kv)


def _app_push_notifier(s: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> Notifier:
    from channels.jpush.notifier import build

    return build(s, http, kv)


def _wechat_template_notifier(
    s: Settings, http: aiohttp.ClientSession, kv: KeyValue
) -> Notifier:
    from channels.wechat.notifier import build_template

    return build_template(s, http, kv)


def _wechat_subscribe_notifier(
    s: Settings, http: aiohttp.ClientSession, kv: KeyValue
) -> Notifier:
    from channels.wechat.notifier import build_subscribe

    return build_subscribe(s, http, kv)


def _alipay_subscribe_notifier(
    s: Settings, http: aiohttp.ClientSession, kv: KeyValue
) -> Notifier:
    from channels.alipay.notifier import build

    return build(s, http, kv)


# push channel (``push.routing.ORDER``) → its notifier
NOTIFIERS: dict[str, Build[Notifier]] = {
    "sms": _sms_notifier,
    "app_push": _app_push_notifier,
    "wechat_template": _wechat_template_notifier,
    "wechat_subscribe": _wechat_subscribe_notifier,
    "alipay_subscribe": _alipay_subscribe_notifier,
}

TRACKERS = frozenset({"kuaidi100"})  # courier tracking providers (``/callbacks/express/<p>``)


class Edges:
    def __init__(self, settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> None:
        self.settings = settings
        self.http = http
        self.kv = kv
        self._built: dict[str, Any] = {}

    def _once(self, name: str, build: Build[T]) -> T:
        if name not in self._built:
            self._built[name] = build(self.settings, self.http, self.kv)
        edge: T = self._built[name]
        return edge

    # ------------------------------------------------------------ identity

    def sms(self) -> SmsSender:
        from channels.sms.client import build

        return self._once("sms", build)

    def app_login(self) -> LoginProvider:
        from channels.app.login import build

        return self._once("app_login", build)

    def wechat_login(self) -> OAuthLoginProvider:
        from channels.wechat.login import build

        return self._once("wechat_login", build)

    def alipay_login(self) -> SharingLoginProvider:
        from channels.alipay.login import build

        return self._once("alipay_login", build)

    def realname(self) -> RealNameProvider:
        """ID-number check against the public-security record (level 2)."""
        from channels.idcheck.client import build

        return self._once("idcheck", build)

    def face(self) -> FaceCheckProvider:
        from channels.idcheck.face import build

        return self._once("face", build)

    # ------------------------------------------------------------ money

    def payment(self, channel: PayChannel | str) -> PaymentGateway:
        if PayChannel(channel) is PayChannel.wechatpay:
            from channels.wechatpay.payment import build as wechatpay

            return self._once("wechatpay", wechatpay)
        from channels.alipay.payment import build as alipay

        return self._once("alipay_pay", alipay)

    # ------------------------------------------------------------ courier

    def tracker(self, provider: str = "kuaidi100") -> Tracker:
        if provider not in TRACKERS:
            raise KeyError(provider)
        from channels.express.kuaidi100 import build

        return self._once("kuaidi100", build)

    def carrier(self) -> Booker:
        from channels.express.carrier import build

        return self._once("carrier", build)

    # ------------------------------------------------------------ government back offices

    def haocp(self) -> RatingReporter:
        """The province's 好差评 system (reports of ratings, 整改 and 申诉 outcomes)."""
        from channels.haocp.client import build

        return self._once("haocp", build)

    def hotline(self) -> HotlineGateway:
        """The 12345 hotline system (its signed callbacks, our replies)."""
        from channels.hotline.client import build

        return self._once("hotline", build)

    def licence_library(self) -> LicenceLibrary:
        """The province's licence library (电子证照库)."""
        from channels.licence.client import build

        return self._once("licence_library", build)

    def registry(self) -> EnterpriseRegistry:
        """The market-regulation registry (企业登记信息: who represents a company)."""
        from channels.registry.client import build

        return self._once("registry", build)

    # ------------------------------------------------------------ messages

    def notifier(self, channel: str) -> Notifier:
        """The notifier of a push channel; ``KeyError`` for a channel we have none for."""
        return self._once(f"notify.{channel}", NOTIFIERS[channel])

    # ------------------------------------------------------------ one platform's own

    def wechat(self) -> WeChatClient:
        """The official account's API client (menus, JS-SDK tickets), for WeChat's own code."""
        from channels.wechat.client import build

        return self._once("wechat", build)

    def wechat_callbacks(self) -> CallbackState:
        """What ``/callbacks/wechat`` keeps per worker: the safe-mode crypto, the recorder."""
        from channels.wechat.callbacks import build_state

        return self._once("wechat_callbacks", build_state)
