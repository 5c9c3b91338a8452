"""Custom menu (自定义菜单): create, read, delete.

https://developers.weixin.qq.com/doc/offiaccount/Custom_Menus/Creating_Custom-Defined_Menu.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from channels.wechat.client import WeChatClient


class MenuApi:
    def __init__(self, client: WeChatClient) -> None:
        self.client = client

    async def create(self, menu: dict[str, Any]) -> None:
        if not isinstance(menu.get("button"), list) or not 1 <= len(menu["button"]) <= 3:
            raise ValueError("a menu has 1 to 3 top-level buttons under 'button'")
        await self.client.call("POST", "/cgi-bin/menu/create", body=menu)

    async def get(self) -> dict[str, Any]:
        answer = await self.client.call("GET", "/cgi-bin/menu/get")
        return dict(answer.get("menu") or {})

    async def delete(self) -> None:
        await self.client.call("GET", "/cgi-bin/menu/delete")
