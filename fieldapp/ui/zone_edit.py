"""A zone's details after it was made: name, kind, library branch, its stage, the animators who
work it, and its boundary — typed as a list of points (one "latitude, longitude" a line), or drawn
by tapping the map (``/zone/map?draw=<zone id>``)."""

from __future__ import annotations

import flet as ft

from fieldapp.errors import FieldError
from fieldapp.model import Zone
from fieldapp.model.enums import ZoneKind, ZoneStage
from fieldapp.services import zones as zone_service
from fieldapp.ui import widgets as w
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen
from fieldapp.ui.sync_screen import sync_error_message


def points_text(polygon: list[list[float]] | None) -> str:
    """A boundary as lines of "lat, lon" (six decimals: ~10 cm)."""
    return "\n".join(f"{lat:.6f}, {lon:.6f}" for lat, lon in polygon or [])


def parse_points(text: str) -> list[list[float]] | None:
    """Lines of "lat, lon" (or "lat lon", or "lat; lon") as points; ValueError on a bad line."""
    points = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = line.replace(";", " ").replace(",", " ").split()
        if len(parts) != 2:
            raise ValueError(line)
        points.append([float(parts[0]), float(parts[1])])
    return points or None


@screen("/zone/edit/:zone_id")
class EditZoneScreen(Screen):
    title_key = "ui.zone_edit.title"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.zone: Zone | None = None
        f = self.form = Form(ctx)
        name = f.add("name", w.text_field(self.t("ui.zone.name")))
        self.kind = f.add(
            "kind",
            w.ChoiceField(ctx, self.t("ui.zone.kind"), w.vocabulary_options(ctx, "zone.kind", ZoneKind)),
        )
        branch = f.add("library_branch", w.text_field(self.t("ui.zone.library_branch")))
        self.stage = f.add(
            "stage",
            w.ChoiceField(
                ctx, self.t("ui.zone_edit.stage"), w.vocabulary_options(ctx, "zone.stage", ZoneStage)
            ),
        )
        workers = f.add(
            "workers",
            w.text_field(
                self.t("ui.zone_edit.animators"), multiline=True, hint=self.t("ui.zone_edit.animators_hint")
            ),
        )
        polygon = f.add(
            "polygon",
            w.text_field(
                self.t("ui.zone_edit.boundary"), multiline=True, hint=self.t("ui.zone_edit.boundary_hint")
            ),
        )
        notes = f.add("notes", w.text_field(self.t("ui.zone.notes"), multiline=True))
        self.people = ft.Column(spacing=0)
        return ft.Column(
            [
                f.banner,
                name,
                self.kind.control,
                branch,
                self.stage.control,
                workers,
                w.secondary_button(
                    ctx, self.t("ui.zone_edit.assign_me"), self.assign_me, icon=ft.Icons.PERSON_ADD
                ),
                w.secondary_button(
                    ctx, self.t("ui.zone_edit.pick_animator"), self.pick_animator, icon=ft.Icons.GROUP
                ),
                self.people,
                polygon,
                w.secondary_button(ctx, self.t("ui.zone_edit.draw"), self.draw, icon=ft.Icons.DRAW),
                notes,
                w.primary_button(ctx, self.t("ui.common.save"), self.save, icon=ft.Icons.SAVE, height=56),
            ],
            spacing=12,
        )

    @property
    def zone_id(self) -> str:
        return self.params["zone_id"]

    async def load(self) -> None:
        ctx = self.ctx
        zone = await ctx.call(ctx.store.get, Zone, self.zone_id)
        if zone is None or zone.deleted:
            self.form.banner.value = self.t("ui.error.not_found")
            return
        self.zone = zone
        f = self.form
        f["name"].value = zone.name
        self.kind.set_value(zone.kind)
        f["library_branch"].value = zone.library_branch or ""
        self.stage.set_value(zone.stage)
        f["workers"].value = "\n".join(zone.workers)
        f["polygon"].value = points_text(zone.polygon)
        f["notes"].value = zone.notes

    async def assign_me(self) -> None:
        me = self.ctx.store.user_id
        if not me:
            self.ctx.toast(self.t("ui.zone_edit.not_enrolled"))
            return
        listed = self.form.text("workers").split()
        if me not in listed:
            self.form["workers"].value = "\n".join([*listed, me])
        self.ctx.page.update()

    async def pick_animator(self) -> None:
        """The program's users (a coordinator's device asks the service); a tap adds one."""
        ctx = self.ctx
        engine = ctx.services.sync_engine()
        if engine is None:
            ctx.toast(self.t("ui.zone_edit.not_enrolled"))
            return
        from fieldapp.sync import SyncError

        try:
            users = await ctx.call(engine.program_users)
        except SyncError as exc:
            self.people.controls = [w.notice(sync_error_message(ctx, exc.code), icon=ft.Icons.ERROR_OUTLINE)]
            return
        self.people.controls = [
            w.row_tile(
                ctx,
                self.t("ui.zone_edit.add_user", name=u["name"] or u["id"]),
                self.t(f"role.{u['role']}") if u["role"] else "",
                on_click=lambda e, i=u["id"]: self._add_worker(i),
                leading=ft.Icon(ft.Icons.PERSON_ADD_ALT),
            )
            for u in users
        ] or [w.empty(self.t("ui.zone_edit.no_users"))]

    def _add_worker(self, user_id: str) -> None:
        listed = self.form.text("workers").split()
        if user_id not in listed:
            self.form["workers"].value = "\n".join([*listed, user_id])
        self.people.controls = []

    async def draw(self) -> None:
        if await self._save():
            self.ctx.go(f"/zone/map?zone={self.zone_id}&draw={self.zone_id}")

    async def save(self) -> None:
        if await self._save():
            self.ctx.toast(self.t("ui.common.saved"))
            await self.ctx.back()

    async def _save(self) -> bool:
        if self.zone is None:
            return False
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        try:
            polygon = parse_points(f.text("polygon"))
        except ValueError as bad:
            errors.append(f.field_error("polygon", "ui.zone_edit.bad_point", line=str(bad)))
            polygon = self.zone.polygon
        if errors:
            f.show_errors(errors)
            return False
        values = {
            "name": f.text("name"),
            "kind": self.kind.value,
            "library_branch": f.text("library_branch") or None,
            "stage": self.stage.value,
            "workers": f.text("workers").split(),
            "polygon": polygon,
            "notes": f.text("notes"),
        }
        changes = {k: v for k, v in values.items() if getattr(self.zone, k) != v}
        if changes:
            saved = await f.submit(zone_service.update_zone, self.ctx.store, self.zone_id, changes)
            if saved is None:
                return False
            self.zone = saved
        return True
