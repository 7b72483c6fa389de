"""Create or edit a contact; for a natural person the consent step is part of the same form.

RODO: a resident or local leader is asked first whether their data may be stored. Until the
answer is "yes" (recorded with how, by whom and when), the personal fields stay hidden and
only what is not personal (address of the building, zone, "do not knock") is saved.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import flet as ft

from fieldapp.errors import FieldError
from fieldapp.i18n.format import format_address, format_date
from fieldapp.model import Consent, Contact
from fieldapp.model.enums import NATURAL_PERSON_KINDS, ConsentMethod, ContactKind, PersonRole
from fieldapp.services import consent as consent_service
from fieldapp.services import contacts as contact_service
from fieldapp.services.clause import Clause, current_clause
from fieldapp.ui import widgets as w
from fieldapp.ui.contact_detail import consent_line
from fieldapp.ui.contacts import zone_names
from fieldapp.ui.context import META_DOOR_CONTACT, META_USER_NAME, UiContext
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen

#: Contact fields a person must consent to before they are stored.
PERSONAL_INPUTS = (
    "name", "phone", "email", "flat", "interests", "needs", "offers", "tags", "notes", "special_notes",
)
#: What is kept about a person recorded without being met (``services.contacts.ART14_FIELDS``).
ART14_INPUTS = ("name", "phone", "email")
#: Fields that may be stored for anyone (the building, not the person).
NON_PERSONAL_INPUTS = ("street", "house_number", "city")


def given_at_from(day: date | None) -> datetime:
    """When consent was given: now for today (or blank), else noon of the day typed."""
    if day is None or day == date.today():
        return datetime.now(UTC)
    return datetime.combine(day, time(12, 0)).astimezone(UTC)


class ConsentStep:
    """The consent question and its details (method, scopes, who recorded it, when)."""

    def __init__(
        self, ctx: UiContext, form: Form, on_change: Any = None, *, allow_absent: bool = False
    ) -> None:
        self.ctx = ctx
        self.form = form
        self.answer: str | None = None  # "yes" | "no"
        self.on_change = on_change
        t = ctx.t
        self.yes = w.secondary_button(
            ctx,
            t("ui.consent.yes"),
            lambda: self.set_answer("yes"),
            icon=ft.Icons.CHECK_CIRCLE_OUTLINE,
            expand=True,
        )
        self.no = w.secondary_button(
            ctx, t("ui.consent.no"), lambda: self.set_answer("no"), icon=ft.Icons.CANCEL_OUTLINED, expand=True
        )
        self.method = form.add(
            "method",
            w.ChoiceField(
                ctx,
                t("ui.consent.method"),
                w.vocabulary_options(ctx, "consent.method", ConsentMethod),
                value=ConsentMethod.ORAL.value,
            ),
        )
        # Nothing is ticked for the person (art. 7): each scope, the clause and the adult check
        # are the animator's own ticks after asking.
        self.clause: Clause | None = None
        self.clause_given = form.add("clause_given", ft.Checkbox(label=t("ui.clause.given"), value=False))
        self.adult = form.add("adult", ft.Checkbox(label=t("ui.consent.adult"), value=False))
        self.scope_store = form.add("scope_store", ft.Checkbox(label=t("consent.scope.store"), value=False))
        self.scope_contact = form.add(
            "scope_contact", ft.Checkbox(label=t("consent.scope.contact"), value=False)
        )
        self.scope_photos = form.add(
            "scope_photos", ft.Checkbox(label=t("consent.scope.photos"), value=False)
        )
        # Off unless asked: an edition carries the person by name only with it (needs "store").
        self.scope_later = form.add(
            "scope_later_editions", ft.Checkbox(label=t("consent.scope.later_editions"), value=False)
        )
        self.scope_special = form.add(
            "scope_special", ft.Checkbox(label=t("consent.scope.special"), value=False)
        )
        form.aliases.update({"clause_version": "clause_given"})
        self.recorded_by = form.add("recorded_by", w.text_field(t("ui.consent.recorded_by")))
        self.given_on = form.add(
            "given_at",
            w.text_field(
                t("ui.consent.given_on"),
                hint=t("ui.common.date_hint"),
                value=format_date(date.today(), ctx.lang),
            ),
        )
        self.note = form.add("consent_note", w.text_field(t("ui.consent.note")))
        self.details = ft.Column(
            [
                self.clause_given,
                self.adult,
                w.muted(t("ui.consent.scopes_hint")),
                self.scope_store,
                self.scope_contact,
                self.scope_photos,
                self.scope_later,
                self.scope_special,
                w.muted(t("ui.consent.special_hint"), size=13),
                self.method.control,
                self.recorded_by,
                self.given_on,
                self.note,
            ],
            spacing=6,
            visible=False,
        )
        self.without = w.notice(t("ui.consent.without"))
        self.without.visible = False
        # Art. 14: a person recorded without being met (named by a neighbour, on a list): no consent
        # to ask; the source of data is noted and a task to inform them falls due within a month.
        self.absent = w.secondary_button(
            ctx, t("ui.art14.absent"), lambda: self.set_answer("absent"), icon=ft.Icons.PERSON_OFF
        )
        self.absent.visible = allow_absent
        self.source = form.add(
            "data_source", w.text_field(t("ui.contact.data_source"), hint=t("ui.art14.source_hint"))
        )
        self.source.visible = False
        self.clause_short = w.body("")
        self.clause_version = w.muted("", size=13)
        self.control = w.card(
            w.heading(t("ui.consent.title"), size=18),
            w.muted(t("ui.clause.say")),
            self.clause_short,
            ft.Row(
                [
                    w.secondary_button(
                        ctx, t("ui.clause.show_full"), self.show_full, icon=ft.Icons.ARTICLE
                    ),
                ],
                wrap=True,
            ),
            self.clause_version,
            w.body(t("ui.consent.question")),
            ft.Row([self.yes, self.no], spacing=8),
            self.absent,
            self.source,
            self.without,
            self.details,
        )

    async def prefill(self) -> None:
        """Put the user's name in "recorded by" — unless they have typed something meanwhile — and
        the program's current information clause (its short, spoken version) on the card."""
        name = await self.ctx.setting(META_USER_NAME)
        if name and not self.recorded_by.value:
            self.recorded_by.value = name
        self.clause = await self.ctx.call(current_clause, self.ctx.store, self.ctx.lang)
        self.clause_short.value = self.clause.short_text
        self.clause_version.value = self.ctx.t("ui.clause.version", version=self.clause.version)

    async def show_full(self) -> None:
        """The full clause (art. 13) in a dialog, to read out or show on the screen."""
        ctx = self.ctx
        if self.clause is None:
            self.clause = await ctx.call(current_clause, ctx.store, ctx.lang)
        dialog = ft.AlertDialog(
            title=ft.Text(ctx.t("ui.clause.full_title")),
            content=ft.Column(
                [ft.Text(self.clause.full_text, size=15)], scroll=ft.ScrollMode.AUTO, tight=True
            ),
            actions=[w.primary_button(ctx, ctx.t("ui.clause.close"), lambda: ctx.page.pop_dialog())],
        )
        ctx.page.show_dialog(dialog)

    async def set_answer(self, answer: str) -> None:
        self.answer = answer
        for button, value in ((self.yes, "yes"), (self.no, "no"), (self.absent, "absent")):
            w.set_selected(button, value == answer)
        self.details.visible = answer == "yes"
        self.without.visible = answer == "no"
        self.source.visible = answer == "absent"
        if self.on_change:
            result = self.on_change()
            if hasattr(result, "__await__"):
                await result

    def values(self, errors: list[FieldError]) -> dict[str, Any] | None:
        """The consent fields for the service, or None when the answer is not "yes"."""
        if self.answer != "yes":
            return None
        day = self.form.date("given_at", errors)
        given = bool(self.clause_given.value) and self.clause is not None
        return {
            "status": "given",
            "method": self.method.value or ConsentMethod.ORAL.value,
            "scope_contact": bool(self.scope_contact.value),
            "scope_store": bool(self.scope_store.value),
            "scope_photos": bool(self.scope_photos.value),
            "scope_later_editions": bool(self.scope_later.value),
            "scope_special": bool(self.scope_special.value),
            "adult": bool(self.adult.value),
            "clause_version": self.clause.version if given and self.clause else "",
            "recorded_by": self.form.text("recorded_by"),
            "given_at": given_at_from(day),
            "note": self.form.text("consent_note"),
        }


def _kind_options(ctx: UiContext) -> list[tuple[str, str]]:
    return w.vocabulary_options(ctx, "contact.kind", ContactKind)


class _ContactFormBase(Screen):
    """Shared by the new-contact and edit-contact screens."""

    contact: Contact | None = None
    consent: Consent | None = None

    def build(self) -> ft.Control:
        ctx = self.ctx
        f = self.form = Form(ctx)
        f.aliases.update({"note": "consent_note"})
        self.kind = f.add(
            "kind",
            w.ChoiceField(
                ctx,
                self.t("ui.contact.kind"),
                _kind_options(ctx),
                value=ContactKind.RESIDENT.value,
                on_change=self._kind_changed,
            ),
        )
        self.consent_step = ConsentStep(ctx, f, on_change=self._refresh_visibility, allow_absent=True)
        self.consent_status = w.card(w.heading(self.t("ui.consent.title"), size=18), w.body(""))
        self.consent_status.visible = False
        self.zone = f.add(
            "zone_id",
            w.ChoiceField(ctx, self.t("ui.contact.zone"), [], allow_empty=self.t("ui.doors.no_zone")),
        )
        q = self.query
        fields = {
            "name": w.text_field(self.t("ui.contact.name")),
            "street": w.text_field(self.t("ui.doors.street"), value=q.get("street", "")),
            "house_number": w.text_field(
                self.t("ui.doors.house_number"), value=q.get("house_number", ""), width=130
            ),
            "flat": w.text_field(self.t("ui.doors.flat"), value=q.get("flat", ""), width=110),
            "city": w.text_field(self.t("ui.contact.city")),
            "phone": w.text_field(self.t("ui.contact.phone"), keyboard=ft.KeyboardType.PHONE),
            "email": w.text_field(self.t("ui.contact.email"), keyboard=ft.KeyboardType.EMAIL),
            "needs": w.text_field(self.t("ui.contact.needs"), multiline=True),
            "offers": w.text_field(self.t("ui.contact.offers"), multiline=True),
            "interests": w.text_field(self.t("ui.contact.interests")),
            "tags": w.text_field(self.t("ui.contact.tags"), hint=self.t("ui.contact.tags_hint")),
            "notes": w.text_field(
                self.t("ui.contact.notes"), multiline=True, helper=self.t("ui.consent.special_hint_short"),
                helper_max_lines=3,
            ),
            "special_notes": w.text_field(
                self.t("ui.contact.special_notes"),
                multiline=True,
                helper=self.t("ui.contact.special_notes_help"),
                helper_max_lines=3,
            ),
        }
        for name, control in fields.items():
            f.add(name, control)
        self.do_not_knock = f.add("do_not_knock", ft.Checkbox(label=self.t("ui.contact.do_not_knock_box")))
        self.person_role = f.add(
            "person_role",
            w.ChoiceField(
                ctx,
                self.t("person.role"),
                w.vocabulary_options(ctx, "person.role", PersonRole),
                allow_empty="—",
            ),
        )
        self.personal = ft.Column(
            [
                fields["name"],
                self.person_role.control,
                fields["phone"],
                fields["email"],
                fields["needs"],
                fields["offers"],
                fields["interests"],
                fields["tags"],
                fields["notes"],
                fields["special_notes"],
            ],
            spacing=10,
        )
        return ft.Column(
            [
                f.banner,
                self.kind.control,
                self.consent_step.control,
                self.consent_status,
                self.personal,
                w.heading(self.t("ui.contact.where"), size=18),
                fields["street"],
                ft.Row([fields["house_number"], fields["flat"]], spacing=8),
                fields["city"],
                self.zone.control,
                self.do_not_knock,
                w.primary_button(ctx, self.t("ui.common.save"), self.save, icon=ft.Icons.SAVE, height=56),
            ],
            spacing=12,
        )

    async def load(self) -> None:
        zones = await zone_names(self.ctx)
        self.zone.set_options(sorted(((zid, name) for zid, name in zones.items()), key=lambda z: z[1]))
        if self.query.get("zone") in zones and self.zone.value is None:
            self.zone.set_value(self.query["zone"])
        await self.consent_step.prefill()
        self._refresh_visibility()

    def is_person(self) -> bool:
        return self.kind.value in NATURAL_PERSON_KINDS

    def absent(self) -> bool:
        """A new person recorded without being met (art. 14)."""
        return self.is_person() and self.contact is None and self.consent_step.answer == "absent"

    def may_store_personal(self) -> bool:
        """Personal fields are shown and saved only with consent (or for organisations)."""
        if not self.is_person():
            return True
        if self.consent is not None and self.consent.status == "given":
            return True
        return self.consent_step.answer == "yes"

    async def _kind_changed(self, field: w.ChoiceField) -> None:
        self._refresh_visibility()

    def _refresh_visibility(self) -> None:
        person = self.is_person()
        has_consent = self.consent is not None and self.consent.status == "given"
        self.consent_step.control.visible = person and not has_consent and self.contact is None
        self.consent_status.visible = person and self.contact is not None
        if self.consent_status.visible:
            self.consent_status.content.controls[1].value = consent_line(self.ctx, self.consent)
        personal = self.may_store_personal()
        self.person_role.control.visible = self.kind.value == ContactKind.NATURAL_PERSON
        self.personal.visible = personal or self.absent()
        for name in PERSONAL_INPUTS:  # not met (art. 14): a name and public contact data only
            if name not in ART14_INPUTS and name != "flat":
                self.form[name].visible = not self.absent()
        self.form["flat"].visible = personal
        if person and self.contact is None and self.consent_step.answer is None:
            self.consent_step.without.visible = False

    def data(self) -> dict[str, Any]:
        f = self.form
        data: dict[str, Any] = {
            "kind": self.kind.value,
            "zone_id": self.zone.value,
            "do_not_knock": bool(self.do_not_knock.value),
            **{name: f.text(name) for name in NON_PERSONAL_INPUTS},
        }
        if self.may_store_personal():
            data.update({name: f.text(name) for name in PERSONAL_INPUTS})
            if self.kind.value == ContactKind.NATURAL_PERSON:
                data["person_role"] = self.person_role.value or ""
        elif self.absent():
            data.update({name: f.text(name) for name in (*ART14_INPUTS, "data_source")})
        data["address"] = format_address(data["street"], data["house_number"], data.get("flat"))
        return data

    async def save(self) -> None:
        raise NotImplementedError


@screen("/contacts/new")
class NewContactScreen(_ContactFormBase):
    title_key = "ui.contact.new"

    async def save(self) -> None:
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        consent = self.consent_step.values(errors) if self.is_person() else None
        if self.is_person() and consent is not None and not consent["recorded_by"]:
            errors.append(f.field_error("recorded_by", "ui.consent.recorded_by_required"))
        if errors:
            f.show_errors(errors)
            return
        contact = await f.submit(contact_service.create_contact, self.ctx.store, self.data(), consent)
        if contact is None:
            return
        if consent and consent["recorded_by"]:
            await self.ctx.set_setting(META_USER_NAME, consent["recorded_by"])
        self.ctx.toast(self.t("ui.contact.created"))
        await self.created(contact)

    async def created(self, contact: Contact) -> None:
        await self.ctx.replace(f"/contacts/{contact.id}")


@screen("/doors/contact")
class DoorContactScreen(NewContactScreen):
    """A new contact made at a door: it opens under Wizyty, and saving goes back to the door, where
    the contact is linked to the next knock (``ui.doors`` reads ``META_DOOR_CONTACT``)."""

    async def created(self, contact: Contact) -> None:
        await self.ctx.set_setting(META_DOOR_CONTACT, contact.id)
        await self.ctx.back()


@screen("/contacts/:contact_id/edit")
class EditContactScreen(_ContactFormBase):
    title_key = "ui.contact.edit"

    async def load(self) -> None:
        ctx = self.ctx
        cid = self.params["contact_id"]
        detail = await ctx.call(contact_service.contact_detail, ctx.store, cid)
        self.contact, self.consent = detail.contact, detail.consent
        c = self.contact
        self.kind.set_value(c.kind)
        self.zone.set_value(c.zone_id)
        for name in (*PERSONAL_INPUTS, *NON_PERSONAL_INPUTS):
            self.form[name].value = getattr(c, name) or ""
        self.do_not_knock.value = c.do_not_knock
        self.person_role.set_value(c.person_role or None)
        await super().load()
        self.zone.set_value(c.zone_id)

    async def save(self) -> None:
        assert self.contact is not None
        f = self.form
        f.clear_errors()
        data = self.data()
        changes = {k: v for k, v in data.items() if getattr(self.contact, k) != v}
        if changes:
            saved = await f.submit(contact_service.update_contact, self.ctx.store, self.contact.id, changes)
            if saved is None:
                return
        self.ctx.toast(self.t("ui.common.saved"))
        await self.ctx.back()


@screen("/contacts/:contact_id/consent")
class ConsentScreen(Screen):
    """Record a (new) consent for an existing contact."""

    title_key = "ui.consent.title"

    def build(self) -> ft.Control:
        self.form = Form(self.ctx)
        self.form.aliases.update({"note": "consent_note"})
        self.step = ConsentStep(self.ctx, self.form)
        self.who = w.muted("")
        return ft.Column(
            [
                self.who,
                self.form.banner,
                self.step.control,
                w.primary_button(
                    self.ctx, self.t("ui.common.save"), self.save, icon=ft.Icons.SAVE, height=56
                ),
            ],
            spacing=12,
        )

    async def load(self) -> None:
        detail = await self.ctx.call(
            contact_service.contact_detail, self.ctx.store, self.params["contact_id"]
        )
        self.who.value = detail.contact.name or self.t("ui.contacts.unnamed")
        await self.step.prefill()

    async def save(self) -> None:
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        if self.step.answer is None:
            errors.append(f.field_error("", "ui.consent.answer_required"))
        values = self.step.values(errors)
        if values is not None and not values["recorded_by"]:
            errors.append(f.field_error("recorded_by", "ui.consent.recorded_by_required"))
        if errors:
            f.show_errors(errors)
            return
        fields = values or {
            "status": "refused",
            "given_at": datetime.now(UTC),
            "recorded_by": f.text("recorded_by"),
        }
        saved = await f.submit(
            consent_service.record_consent, self.ctx.store, self.params["contact_id"], **fields
        )
        if saved is None:
            return
        self.ctx.toast(self.t("ui.common.saved"))
        await self.ctx.back()
