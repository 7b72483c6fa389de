"""Editing a diagnosis, a need and a resource after they were saved (a returned diagnosis is
corrected here: its review becomes "corrected" when its author saves)."""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldapp.errors import FieldError
from fieldapp.i18n.format import format_date
from fieldapp.model import Diagnosis, Need, Resource
from fieldapp.model.enums import DiagnosisMethod, NeedPriority, ResourceGroup, ResourceKind
from fieldapp.services import diagnoses as diagnosis_service
from fieldapp.ui import widgets as w
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen


async def _save_changes(screen: Screen, form: Form, record: Any, values: dict[str, Any], update: Any) -> None:
    """Write what differs from ``record``, then go back with "Zapisano"."""
    changes = {k: v for k, v in values.items() if getattr(record, k) != v}
    if changes and await form.submit(update, screen.ctx.store, record.id, changes) is None:
        return
    screen.ctx.toast(screen.t("ui.common.saved"))
    await screen.ctx.back()


@screen("/zone/diagnosis-edit/:diagnosis_id")
class EditDiagnosisScreen(Screen):
    title_key = "ui.edit.diagnosis"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.record: Diagnosis | None = None
        f = self.form = Form(ctx)
        title = f.add("title", w.text_field(self.t("ui.diagnosis.name")))
        start = f.add(
            "period_start", w.text_field(self.t("ui.diagnosis.start"), hint=self.t("ui.common.date_hint"))
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
            w.text_field(self.t("ui.diagnosis.people_reached"), keyboard=ft.KeyboardType.NUMBER),
        )
        summary = f.add("summary", w.text_field(self.t("ui.diagnosis.summary"), multiline=True))
        return ft.Column(
            [
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
        d = await self.ctx.call(self.ctx.store.get, Diagnosis, self.params["diagnosis_id"])
        if d is None or d.deleted:
            self.form.banner.value = self.t("ui.error.not_found")
            return
        self.record = d
        f, lang = self.form, self.ctx.lang
        f["title"].value = d.title
        f["period_start"].value = format_date(d.period_start, lang)
        f["period_end"].value = format_date(d.period_end, lang) if d.period_end else ""
        for code, box in self.methods.items():
            box.value = code in d.methods
        f["people_reached"].value = str(d.people_reached)
        f["summary"].value = d.summary

    async def save(self) -> None:
        if self.record is None:
            return
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        values = {
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
        await _save_changes(self, f, self.record, values, diagnosis_service.update_diagnosis)


@screen("/zone/need-edit/:need_id")
class EditNeedScreen(Screen):
    title_key = "ui.edit.need"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.record: Need | None = None
        f = self.form = Form(ctx)
        category = f.add("category", w.text_field(self.t("ui.need.category")))
        people = f.add(
            "people_count", w.text_field(self.t("ui.need.people"), keyboard=ft.KeyboardType.NUMBER)
        )
        self.priority = f.add(
            "priority",
            w.ChoiceField(
                ctx, self.t("ui.need.priority"), w.vocabulary_options(ctx, "need.priority", NeedPriority)
            ),
        )
        description = f.add("description", w.text_field(self.t("ui.need.description"), multiline=True))
        return ft.Column(
            [
                f.banner,
                category,
                people,
                self.priority.control,
                description,
                w.primary_button(ctx, self.t("ui.common.save"), self.save, icon=ft.Icons.SAVE, height=56),
            ],
            spacing=10,
        )

    async def load(self) -> None:
        need = await self.ctx.call(self.ctx.store.get, Need, self.params["need_id"])
        if need is None or need.deleted:
            self.form.banner.value = self.t("ui.error.not_found")
            return
        self.record = need
        f = self.form
        f["category"].value = need.category
        f["people_count"].value = str(need.people_count)
        self.priority.set_value(need.priority)
        f["description"].value = need.description

    async def save(self) -> None:
        if self.record is None:
            return
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        values = {
            "category": f.text("category"),
            "people_count": f.integer("people_count", errors, default=1),
            "priority": self.priority.value,
            "description": f.text("description"),
        }
        if errors:
            f.show_errors(errors)
            return
        await _save_changes(self, f, self.record, values, diagnosis_service.update_need)


@screen("/zone/resource-edit/:resource_id")
class EditResourceScreen(Screen):
    title_key = "ui.edit.resource"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.record: Resource | None = None
        f = self.form = Form(ctx)
        name = f.add("name", w.text_field(self.t("ui.resource.name")))
        self.kind = f.add(
            "kind",
            w.ChoiceField(
                ctx, self.t("ui.resource.kind"), w.vocabulary_options(ctx, "resource.kind", ResourceKind)
            ),
        )
        self.category = f.add(
            "category",
            w.ChoiceField(
                ctx,
                self.t("ui.resource.category"),
                w.vocabulary_options(ctx, "resource.category", ResourceGroup),
            ),
        )
        description = f.add("description", w.text_field(self.t("ui.resource.description"), multiline=True))
        place = f.add(
            "position", w.text_field(self.t("ui.edit.position"), hint=self.t("ui.zone_edit.boundary_hint"))
        )
        return ft.Column(
            [
                f.banner,
                name,
                self.kind.control,
                self.category.control,
                description,
                place,
                w.muted(self.t("ui.edit.position_help")),
                w.primary_button(ctx, self.t("ui.common.save"), self.save, icon=ft.Icons.SAVE, height=56),
            ],
            spacing=10,
        )

    async def load(self) -> None:
        resource = await self.ctx.call(self.ctx.store.get, Resource, self.params["resource_id"])
        if resource is None or resource.deleted:
            self.form.banner.value = self.t("ui.error.not_found")
            return
        self.record = resource
        f = self.form
        f["name"].value = resource.name
        self.kind.set_value(resource.kind)
        self.category.set_value(resource.category)
        f["description"].value = resource.description
        has_point = resource.lat is not None and resource.lon is not None
        f["position"].value = f"{resource.lat:.6f}, {resource.lon:.6f}" if has_point else ""

    async def save(self) -> None:
        if self.record is None:
            return
        f = self.form
        f.clear_errors()
        values: dict[str, Any] = {
            "name": f.text("name"),
            "kind": self.kind.value,
            "category": self.category.value,
            "description": f.text("description"),
            "lat": None,
            "lon": None,
        }
        text = f.text("position").replace(";", " ").replace(",", " ").split()
        if text:
            try:
                values["lat"], values["lon"] = (float(v) for v in text)
            except ValueError:
                f.show_errors([f.field_error("position", "ui.zone_edit.bad_point", line=f.text("position"))])
                return
        await _save_changes(self, f, self.record, values, diagnosis_service.update_resource)
