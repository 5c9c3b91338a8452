"""``GET /api/v1/wechat/jssdk-config?url=``: the ``wx.config`` signature for an H5 page."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator
from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.errors import UpstreamUnavailable
from app.handler_kit import doc, ok, query, returns
from app.interfaces import ProviderError

bp = Blueprint("wechat_jssdk", url_prefix="/api/v1/wechat")


class JsSdkQuery(BaseModel):
    url: str = Field(min_length=8, max_length=1024)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("url must be an http(s) page address")
        return value


class JsSdkConfig(BaseModel):
    appId: str  # wx.config's own field names
    timestamp: int
    nonceStr: str
    signature: str


@bp.get("/jssdk-config")
@doc("JS-SDK wx.config 签名", "wechat", "为 H5 页面地址（# 之后部分不计）生成 wx.config 签名。")
@query(JsSdkQuery)
@returns(JsSdkConfig)
async def jssdk_config(request: AppRequest) -> HTTPResponse:
    client = request.app.ctx.edges.wechat()
    try:
        config = await client.jssdk.config(request.ctx.query.url)
    except ProviderError as exc:
        raise UpstreamUnavailable("微信服务暂时不可用，请稍后再试") from exc
    return ok(JsSdkConfig.model_validate(config))
