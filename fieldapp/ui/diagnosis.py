"""A zone's diagnosis: needs ranked by how many people raised them, resources linked to contacts.

Adding a need or a resource is one short form on the same screen; a need leads straight to a
neighbourhood action ("Działanie z tej potrzeby").
"""

from __future__ import annotations

from datetime import date

import flet as ft

from fieldapp.errors import FieldError
from fieldapp.i18n.format import format_date
from fieldapp.model import Contact, Diagnosis, Need, Resource, Zone
from fieldapp.model.enums import (
    RESOURCE_GROUP_OF_KIND,
    DiagnosisMethod,
    NeedPriority,
    ResourceGroup,
    ResourceKind,
)
from fieldapp.services import diagnoses as diagnosis_service
from fieldapp.services.diagnoses import resources_of
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.contacts import ContactPicker, contact_title
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen

PRIORITY_COLORS = {"high": theme.DANGER, "medium": "#7A4100", "low": "#455A64"}


@screen("/zone/diagnoses/new")
class NewDiagnosisScreen(Screen):
    title_key = "ui.diagnosis.new"

    def build(self) -> ft.Control:
        ctx = self.ctx
        f = self.form = Form(ctx)
        self.zone_name = w.muted("")
        title = f.add(
            "title", w.text_field(self.t("ui.diagnosis.name"), hint=self.t("ui.diagnosis.name_hint"))
        )
        start = f.add(
            "period_start",
            w.text_field(
                self.t("ui.diagnosis.start"),
                hint=self.t("ui.common.date_hint"),
                value=format_date(date.today(), ctx.lang),
            ),
        )
        end = f.add(
            "period_end", w.text_field(self.t("ui.diagnosis.end"), hint=self.t("ui.common.date_hint"))
        )
        self.methods = {
            m.value: ft.Checkbox(label=self.t(f"diagnosis.method.{m.value}"), value=False)
            for m in DiagnosisMethod
        }
        people = f.add(
            "people_reached",
            w.text_field(self.t("ui.diagnosis.people_reached"), value="0", keyboard=ft.KeyboardType.NUMBER),
        )
        summary = f.add("summary", w.text_field(self.t("ui.diagnosis.summary"), multiline=True))
        return ft.Column(
            [
                self.zone_name,
                f.banner,
                title,
                ft.Row([start, end], wrap=True),
                w.body(self.t("ui.diagnosis.methods"), weight=ft.FontWeight.W_600),
                *self.methods.values(),
                people,
                summary,
                w.primary_button(ctx, self.t("ui.common.save"), self.save, icon=ft.Icons.SAVE, height=56),
            ],
            spacing=10,
        )

    async def load(self) -> None:
        zone = await self.ctx.call(self.ctx.store.get, Zone, self.query.get("zone", ""))
        self.zone_name.value = self.t("ui.diagnosis.for_zone", zone=zone.name) if zone else ""

    async def save(self) -> None:
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        data = {
            "zone_id": self.query.get("zone"),
            "title": f.text("title"),
            "period_start": f.date("period_start", errors),
            "period_end": f.date("period_end", errors),
            "methods": [code for code, box in self.methods.items() if box.value],
            "people_reached": f.integer("people_reached", errors),
            "summary": f.text("summary"),
        }
        if errors:
            f.show_errors(errors)
            return
        diagnosis = await f.submit(diagnosis_service.create_diagnosis, self.ctx.store, data)
        if diagnosis is None:
            return
        self.ctx.toast(self.t("ui.common.saved"))
        await self.ctx.replace(f"/zone/diagnoses/{diagnosis.id}")


@screen("/zone/diagnoses/:diagnosis_id")
class DiagnosisScreen(Screen):
    title_key = "ui.diagnosis.title"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.header = ft.Column(spacing=4)
        self.needs = ft.Column(spacing=0)
        self.resources = ft.Column(spacing=0)
        # Quick "add a need": what, how many people, priority.
        nf = self.need_form = Form(ctx)
        need_category = nf.add(
            "category", w.text_field(self.t("ui.need.category"), hint=self.t("ui.need.category_hint"))
        )
        need_people = nf.add(
            "people_count",
            w.text_field(self.t("ui.need.people"), value="1", width=120, keyboard=ft.KeyboardType.NUMBER),
        )
        self.need_priority = nf.add(
            "priority",
            w.ChoiceField(
                ctx,
                self.t("ui.need.priority"),
                w.vocabulary_options(ctx, "need.priority", NeedPriority),
                value=NeedPriority.MEDIUM.value,
            ),
        )
        need_description = nf.add("description", w.text_field(self.t("ui.need.description")))
        # Quick "add a resource": kind, name, optionally the contact who is that resource.
        rf = self.resource_form = Form(ctx)
        self.resource_kind = rf.add(
            "kind",
            w.ChoiceField(
                ctx,
                self.t("ui.resource.kind"),
                w.vocabulary_options(ctx, "resource.kind", ResourceKind),
                value=ResourceKind.PERSON.value,
                on_change=self._kind_changed,
            ),
        )
        self.resource_category = rf.add(
            "category",
            w.ChoiceField(
                ctx,
                self.t("ui.resource.category"),
                w.vocabulary_options(ctx, "resource.category", ResourceGroup),
                value=RESOURCE_GROUP_OF_KIND[ResourceKind.PERSON],
            ),
        )
        resource_name = rf.add("name", w.text_field(self.t("ui.resource.name")))
        resource_description = rf.add("description", w.text_field(self.t("ui.resource.description")))
        self.resource_contact = ContactPicker(ctx, self.t("ui.resource.contact"))
        return ft.Column(
            [
                self.header,
                ft.Divider(),
                w.heading(self.t("ui.diagnosis.needs")),
                w.muted(self.t("ui.diagnosis.needs_help")),
                self.needs,
                w.card(
                    w.heading(self.t("ui.need.add"), size=17),
                    nf.banner,
                    need_category,
                    ft.Row(
                        [need_people, ft.Container(self.need_priority.control, expand=True)],
                        vertical_alignment=ft.CrossAxisAlignment.START,
                    ),
                    need_description,
                    w.primary_button(ctx, self.t("ui.need.add_button"), self.add_need, icon=ft.Icons.ADD),
                ),
                ft.Divider(),
                w.heading(self.t("ui.diagnosis.resources")),
                self.resources,
                w.card(
                    w.heading(self.t("ui.resource.add"), size=17),
                    rf.banner,
                    self.resource_kind.control,
                    self.resource_category.control,
                    resource_name,
                    resource_description,
                    self.resource_contact.control,
                    w.primary_button(
                        ctx, self.t("ui.resource.add_button"), self.add_resource, icon=ft.Icons.ADD
                    ),
                ),
            ],
            spacing=12,
        )

    @property
    def diagnosis_id(self) -> str:
        return self.params["diagnosis_id"]

    async def load(self) -> None:
        ctx = self.ctx
        d = await ctx.call(ctx.store.get, Diagnosis, self.diagnosis_id)
        if d is None or d.deleted:
            self.header.controls = [w.empty(self.t("ui.error.not_found"))]
            return
        zone = await ctx.call(ctx.store.get, Zone, d.zone_id)
        end = format_date(d.period_end, ctx.lang) if d.period_end else "…"
        methods = ", ".join(self.t(f"diagnosis.method.{m}") for m in d.methods) or "—"
        self.header.controls = [
            w.heading(d.title, size=22),
            w.muted(
                " · ".join(
                    p
                    for p in (zone.name if zone else "", f"{format_date(d.period_start, ctx.lang)} – {end}")
                    if p
                )
            ),
            w.body(self.t("ui.diagnosis.methods_line", methods=methods)),
            w.body(self.t("ui.diagnosis.people_line", count=d.people_reached)),
        ]
        if d.summary:
            self.header.controls.append(w.body(d.summary))
        self.header.controls.append(
            w.secondary_button(
                ctx,
                self.t("ui.edit.diagnosis"),
                lambda: ctx.go(f"/zone/diagnosis-edit/{d.id}"),
                icon=ft.Icons.EDIT,
            )
        )
        await self._load_needs()
        await self._load_resources()

    async def _load_needs(self) -> None:
        ctx = self.ctx
        needs: list[Need] = await ctx.call(diagnosis_service.needs_ranked, ctx.store, self.diagnosis_id)
        self.needs.controls = [self._need_row(rank, need) for rank, need in enumerate(needs, 1)] or [
            w.empty(self.t("ui.diagnosis.no_needs"))
        ]

    def _need_row(self, rank: int, need: Need) -> ft.Control:
        ctx = self.ctx
        subtitle = " · ".join(
            p
            for p in (
                self.t("ui.need.people_count", count=need.people_count),
                self.t(f"need.priority.{need.priority}"),
                need.description,
            )
            if p
        )
        return ft.Container(
            ft.Row(
                [
                    ft.Container(
                        ft.Text(str(rank), size=18, weight=ft.FontWeight.W_700, color=ft.Colors.WHITE),
                        bgcolor=PRIORITY_COLORS.get(need.priority, theme.MUTED),
                        width=36,
                        height=36,
                        border_radius=18,
                        alignment=ft.Alignment.CENTER,
                    ),
                    ft.Column(
                        [w.body(need.category, weight=ft.FontWeight.W_600), w.muted(subtitle)],
                        spacing=2,
                        expand=True,
                    ),
                    ft.IconButton(
                        ft.Icons.EDIT,
                        tooltip=self.t("ui.edit.need_named", name=need.category),
                        on_click=ctx.handler(lambda e, i=need.id: ctx.go(f"/zone/need-edit/{i}")),
                    ),
                    w.secondary_button(
                        ctx,
                        self.t("ui.need.to_action"),
                        lambda e, i=need.id: ctx.go(f"/zone/actions/new?need={i}"),
                    ),
                ],
                vertical_alignment=ft.CrossAxisAlignment.CENTER,
            ),
            padding=ft.Padding.symmetric(vertical=6),
        )

    async def _load_resources(self) -> None:
        ctx = self.ctx
        resources: list[Resource] = await ctx.call(resources_of, ctx.store, self.diagnosis_id)
        linked_ids = {r.contact_id for r in resources if r.contact_id}
        contacts: dict[str, Contact] = {}
        for cid in linked_ids:
            contact = await ctx.call(ctx.store.get, Contact, cid)
            if contact:
                contacts[cid] = contact
        rows: list[ft.Control] = []
        for group in ResourceGroup:
            members = [r for r in resources if r.category == group.value]
            if not members:
                continue
            rows.append(w.body(self.t(f"resource.category.{group.value}"), weight=ft.FontWeight.W_700))
            for r in members:
                parts = [self.t(f"resource.kind.{r.kind}"), r.description]
                if r.contact_id in contacts:
                    parts.append(
                        self.t("ui.resource.linked", name=contact_title(ctx, contacts[r.contact_id]))
                    )
                rows.append(
                    w.row_tile(
                        ctx,
                        r.name,
                        " · ".join(p for p in parts if p),
                        on_click=(lambda e, c=r.contact_id: ctx.go(f"/contacts/{c}"))
                        if r.contact_id
                        else None,
                        leading=ft.Icon(ft.Icons.HANDSHAKE if r.contact_id else ft.Icons.INVENTORY_2),
                        trailing=ft.IconButton(
                            ft.Icons.EDIT,
                            tooltip=self.t("ui.edit.resource_named", name=r.name),
                            on_click=ctx.handler(lambda e, i=r.id: ctx.go(f"/zone/resource-edit/{i}")),
                        ),
                    )
                )
        self.resources.controls = rows or [w.empty(self.t("ui.diagnosis.no_resources"))]

    async def add_need(self) -> None:
        f = self.need_form
        f.clear_errors()
        errors: list[FieldError] = []
        data = {
            "category": f.text("category"),
            "people_count": f.integer("people_count", errors, default=1),
            "priority": self.need_priority.value,
            "description": f.text("description"),
        }
        if errors:
            f.show_errors(errors)
            return
        if await f.submit(diagnosis_service.add_need, self.ctx.store, self.diagnosis_id, data) is None:
            return
        for name in ("category", "description"):
            f[name].value = ""
        f["people_count"].value = "1"
        # The next need starts from the default priority: keeping this one's was a silent guess.
        self.need_priority.set_value(NeedPriority.MEDIUM.value)
        self.ctx.toast(self.t("ui.need.added", name=data["category"]))
        await self._load_needs()

    async def _kind_changed(self, field: w.ChoiceField) -> None:
        group = RESOURCE_GROUP_OF_KIND.get(field.value or "")
        if group:
            self.resource_category.set_value(group)

    async def add_resource(self) -> None:
        f = self.resource_form
        f.clear_errors()
        contact = self.resource_contact.contact
        data = {
            "kind": self.resource_kind.value,
            "category": self.resource_category.value,
            "name": f.text("name") or (contact_title(self.ctx, contact) if contact else ""),
            "description": f.text("description"),
            "contact_id": contact.id if contact else None,
        }
        if await f.submit(diagnosis_service.add_resource, self.ctx.store, self.diagnosis_id, data) is None:
            return
        for name in ("name", "description"):
            f[name].value = ""
        await self.resource_contact.pick(None)
        self.ctx.toast(self.t("ui.resource.added", name=data["name"]))
        await self._load_resources()
