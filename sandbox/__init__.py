"""Simulators of every external platform, speaking each one's exact protocol over HTTP.

Each listed module exposes ``create_app()`` (an aiohttp application) and
``zsb_settings(base_url)`` (the ``ZSB_*`` settings, lower-case and without the prefix, that
point our server at it). ``python -m sandbox`` runs them all for the local demo.
"""

SIMULATORS: list[str] = [
    "sandbox.sms",
    "sandbox.wechat",
    "sandbox.wechatpay",
    "sandbox.alipay",
    "sandbox.idcheck",
    "sandbox.jpush",
    "sandbox.kuaidi100",
    "sandbox.carrier",
    "sandbox.haocp",
    "sandbox.hotline",
    "sandbox.licence",
    "sandbox.registry",
]
