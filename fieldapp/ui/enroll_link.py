"""The phone's deep link ``teren://enroll?server=…&code=…`` (the coordinator's QR code, opened by
the camera app): it lands on /enroll, which opens Synchronizacja with the link filled in, so
connecting the device is one tap on "Połącz" (nothing typed or pasted)."""

from __future__ import annotations

from urllib.parse import urlencode

import flet as ft

from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen


@screen("/enroll", tab="/more")
class EnrollLinkScreen(Screen):
    title_key = "ui.sync.enroll"

    def build(self) -> ft.Control:
        return ft.Column([ft.ProgressRing()])

    async def load(self) -> None:
        wanted = {k: v for k, v in self.query.items() if k in ("server", "code")}
        await self.ctx.replace("/more/sync" + (f"?{urlencode(wanted)}" if wanted else ""))
