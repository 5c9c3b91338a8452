"""WeChat official account simulator (see ``server`` for the endpoints it plays)."""

from sandbox.wechat.proto import APPID, ENCODING_AES_KEY, SECRET, TOKEN, sign_request
from sandbox.wechat.server import create_app, push_callback, zsb_settings

__all__ = [
    "APPID",
    "ENCODING_AES_KEY",
    "SECRET",
    "TOKEN",
    "create_app",
    "push_callback",
    "sign_request",
    "zsb_settings",
]
