"""What the front end needs to open the WeChat Pay cashier (v3 RSA paySign).

JSAPI: https://pay.weixin.qq.com/docs/merchant/apis/jsapi-payment/jsapi-transfer-payment.html
APP:   https://pay.weixin.qq.com/docs/merchant/apis/in-app-payment/app-transfer-payment.html
"""

from __future__ import annotations

import time

from cryptography.hazmat.primitives.asymmetric import rsa

from channels.wechatpay.signing import new_nonce, sign, sign_lines


def jsapi_params(
    appid: str,
    prepay_id: str,
    key: rsa.RSAPrivateKey,
    *,
    timestamp: str | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """``WeixinJSBridge.invoke('getBrandWCPayRequest', …)`` / ``wx.requestPayment`` arguments."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or new_nonce()
    package = f"prepay_id={prepay_id}"
    return {
        "appId": appid,
        "timeStamp": timestamp,
        "nonceStr": nonce,
        "package": package,
        "signType": "RSA",
        "paySign": sign(sign_lines(appid, timestamp, nonce, package), key),
    }


def app_params(
    appid: str,
    mchid: str,
    prepay_id: str,
    key: rsa.RSAPrivateKey,
    *,
    timestamp: str | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The OpenSDK ``PayReq`` fields."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or new_nonce()
    return {
        "appid": appid,
        "partnerid": mchid,
        "prepayid": prepay_id,
        "package": "Sign=WXPay",
        "noncestr": nonce,
        "timestamp": timestamp,
        "sign": sign(sign_lines(appid, timestamp, nonce, prepay_id), key),
    }
