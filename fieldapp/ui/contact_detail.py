"""One contact: who, where, consent status, needs and offers, visit history, supervisor's notes."""

from __future__ import annotations

import flet as ft

from fieldapp.errors import ValidationFailed
from fieldapp.i18n import error_text
from fieldapp.i18n.format import address_of, format_date
from fieldapp.model import Consent, Contact, RightsKind, utcnow
from fieldapp.model.enums import NATURAL_PERSON_KINDS
from fieldapp.services import consent as consent_service
from fieldapp.services import contacts as contact_service
from fieldapp.services import reviews as review_service
from fieldapp.services.backup import write_atomic
from fieldapp.services.rodo.audit import record_view
from fieldapp.services.rodo.erasure import erase_person
from fieldapp.services.rodo.export import export_person_json
from fieldapp.services.rodo.handover import access_package, can_encrypt
from fieldapp.services.rodo.requests import register_request, restrict_person
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.attachments import AttachmentsPanel
from fieldapp.ui.contacts import contact_title, zone_names
from fieldapp.ui.context import META_USER_NAME
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen


def consent_line(ctx, consent: Consent | None) -> str:
    if consent is None:
        return ctx.t("ui.consent.none")
    status = ctx.t(f"consent.status.{consent.status}")
    when = format_date(consent.given_at, ctx.lang)
    parts = [status, ctx.t(f"consent.method.{consent.method}"), when]
    if consent.recorded_by:
        parts.append(ctx.t("ui.consent.by", name=consent.recorded_by))
    return " · ".join(p for p in parts if p)


def consent_scopes(ctx, consent: Consent) -> str:
    names = [
        ctx.t(f"consent.scope.{scope}")
        for scope in GRANTABLE
        if getattr(consent, f"scope_{scope}")
    ]
    return ", ".join(names)


#: The consent's scopes as the screens list them.
GRANTABLE = ("store", "contact", "photos", "special", "later_editions")


@screen("/contacts/:contact_id")
class ContactDetailScreen(Screen):
    title_key = "ui.contact.title"
    #: Whether this opening of the card is in the audit log already (reloads log nothing more).
    _viewed = False

    def build(self) -> ft.Control:
        self.body = ft.Column([w.muted(self.t("ui.common.loading"))], spacing=12)
        return self.body

    def actions(self) -> list[ft.Control]:
        cid = self.params["contact_id"]
        return [
            w.icon_button(
                self.ctx,
                ft.Icons.EDIT,
                self.t("ui.contact.edit"),
                lambda: self.ctx.go(f"/contacts/{cid}/edit"),
                icon_color=ft.Colors.WHITE,
            ),
            w.icon_button(
                self.ctx,
                ft.Icons.DELETE_OUTLINE,
                self.t("ui.contact.delete"),
                self._confirm_delete,
                icon_color=ft.Colors.WHITE,
            ),
        ]

    async def load(self) -> None:
        ctx = self.ctx
        detail = await ctx.call(contact_service.contact_detail, ctx.store, self.params["contact_id"])
        zones = await zone_names(ctx)
        contact: Contact = detail.contact
        consent: Consent | None = detail.consent
        cid = contact.id
        if not self._viewed:
            self._viewed = await ctx.call(record_view, ctx.store, contact)
        rows: list[ft.Control] = [
            w.heading(contact_title(ctx, contact), size=22),
            w.body(self.t(f"contact.kind.{contact.kind}"), color=theme.MUTED),
        ]
        if contact.do_not_knock:
            rows.append(w.notice(self.t("ui.contact.do_not_knock"), icon=ft.Icons.DO_NOT_DISTURB))
        if address := address_of(contact):
            rows.append(
                w.labelled(
                    self.t("ui.contact.address"), address + (f", {contact.city}" if contact.city else "")
                )
            )
        if contact.zone_id:
            rows.append(w.labelled(self.t("ui.contact.zone"), zones.get(contact.zone_id, "—")))
        for name in ("phone", "email"):
            if getattr(contact, name):
                rows.append(w.labelled(self.t(f"ui.contact.{name}"), getattr(contact, name)))
        if contact.kind in NATURAL_PERSON_KINDS:
            rows.append(self._consent_block(consent, cid))
            if consent is not None:  # the signed form, scanned or photographed (``ui.attachments``)
                scans = AttachmentsPanel(ctx, "consent", consent.id, scans=True)
                await scans.load()
                rows.append(w.card(scans.control))
        if contact.restricted_at is not None:
            rows.append(w.notice(self.t("ui.rodo.restricted"), icon=ft.Icons.LOCK))
        if contact.data_source:
            rows.append(w.labelled(self.t("ui.contact.data_source"), contact.data_source))
        for name in ("needs", "offers", "interests", "tags", "notes", "special_notes"):
            value = getattr(contact, name)
            if value:
                rows.append(w.labelled(self.t(f"ui.contact.{name}"), value))
        for review in getattr(detail, "reviews", None) or []:
            if review.state == "returned":
                rows.append(
                    w.notice(self.t("ui.contact.returned", comment=review.comment), icon=ft.Icons.UNDO)
                )
        rows.append(
            w.primary_button(
                ctx,
                self.t("ui.contact.log_visit"),
                lambda: ctx.go(f"/doors?contact={cid}"),
                icon=ft.Icons.DOOR_FRONT_DOOR,
            )
        )
        rows.append(  # the engagement ladder, groups and meetings (fieldapp/ui/network/person.py)
            w.secondary_button(
                ctx,
                self.t("network.ui.person"),
                lambda: ctx.go(f"/contacts/{cid}/network"),
                icon=ft.Icons.STAIRS,
            )
        )
        if contact.kind in NATURAL_PERSON_KINDS and await ctx.call(review_service.can_review, ctx.store):
            rows.append(self._rodo_block(contact))
        rows.append(w.heading(self.t("ui.contact.visits"), size=18))
        visits = getattr(detail, "visits", None) or []
        rows.extend(
            w.row_tile(
                ctx,
                f"{format_date(v.visited_at, ctx.lang)} — {self.t(f'visit.outcome.{v.outcome}')}",
                " · ".join(p for p in (address_of(v), v.notes, v.next_step) if p),
                leading=ft.Icon(ft.Icons.CIRCLE, color=theme.OUTCOME_COLORS.get(v.outcome, theme.MUTED)),
            )
            for v in visits
        )
        if not visits:
            rows.append(w.empty(self.t("ui.contact.no_visits")))
        self.body.controls = rows

    def _consent_block(self, consent: Consent | None, cid: str) -> ft.Control:
        ctx = self.ctx
        given = consent is not None and consent.status == "given"
        items: list[ft.Control] = [
            w.heading(self.t("ui.consent.title"), size=18),
            w.body(
                consent_line(ctx, consent),
                weight=ft.FontWeight.W_600,
                color=theme.OK if given else theme.DANGER,
            ),
        ]
        if consent is not None and consent.clause_version:
            items.append(w.muted(self.t("ui.clause.given_line", version=consent.clause_version)))
        if consent is not None and given:
            items.append(w.muted(self.t("ui.consent.scopes", scopes=consent_scopes(ctx, consent) or "—")))
            items.append(
                w.secondary_button(
                    ctx,
                    self.t("ui.consent.withdraw"),
                    self._confirm_withdraw,
                    icon=ft.Icons.BLOCK,
                    color=theme.DANGER,
                )
            )
        else:
            items.append(
                w.secondary_button(
                    ctx,
                    self.t("ui.consent.record"),
                    lambda: ctx.go(f"/contacts/{cid}/consent"),
                    icon=ft.Icons.VERIFIED_USER,
                )
            )
        return w.card(*items)

    def _rodo_block(self, contact: Contact) -> ft.Control:
        """A coordinator answers a person's request: what is stored about them, or erase it."""
        ctx = self.ctx
        if contact.erased_at is not None:
            return w.card(w.notice(self.t("ui.rodo.erased", when=format_date(contact.erased_at, ctx.lang))))
        return w.card(
            w.heading(self.t("ui.rodo.title"), size=18),
            w.secondary_button(
                ctx, self.t("ui.rights.register"), self._register_request, icon=ft.Icons.ASSIGNMENT_IND
            ),
            w.secondary_button(ctx, self.t("ui.access.hand_over"), self._hand_over, icon=ft.Icons.LOCK),
            w.secondary_button(
                ctx,
                self.t("ui.rodo.unrestrict" if contact.restricted_at else "ui.rodo.restrict"),
                lambda: self._restrict(lift=contact.restricted_at is not None),
                icon=ft.Icons.LOCK_OPEN if contact.restricted_at else ft.Icons.BLOCK,
            ),
            w.secondary_button(ctx, self.t("ui.rodo.export"), self._export_person, icon=ft.Icons.DOWNLOAD),
            w.secondary_button(
                ctx,
                self.t("ui.rodo.who_looked"),
                lambda: ctx.go(f"/more/audit?target={contact.id}"),
                icon=ft.Icons.VISIBILITY,
            ),
            w.secondary_button(
                ctx, self.t("ui.rodo.erase"), self._confirm_erase, icon=ft.Icons.DELETE_FOREVER
            ),
        )

    async def _export_person(self) -> None:
        ctx = self.ctx
        cid = self.params["contact_id"]
        data = await ctx.call(export_person_json, ctx.store, cid, by=ctx.store.user_id)
        folder = ctx.store.path.parent / "exports"
        path = await ctx.call(write_atomic, folder, f"rodo-{cid}-{utcnow():%Y%m%d-%H%M%S}.json", data)
        ctx.toast(self.t("ui.rodo.exported", path=str(path)))

    async def _register_request(self) -> None:
        """Register a data subject's request (received today), due in a month; shown in the register."""
        ctx = self.ctx
        kinds = [(kind.value, self.t(f"rights.kind.{kind.value}")) for kind in RightsKind]
        choice = w.ChoiceField(ctx, self.t("ui.rights.kind"), kinds, value=RightsKind.ACCESS.value)

        async def save() -> None:
            ctx.page.pop_dialog()
            request = await ctx.call(
                register_request, ctx.store, {"kind": choice.value, "contact_id": self.params["contact_id"]}
            )
            ctx.services.request_sync()
            ctx.toast(self.t("ui.rights.registered", due=format_date(request.due_on, ctx.lang)))
            await self.load()

        ctx.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(self.t("ui.rights.register")),
                content=ft.Column([choice.control], tight=True),
                actions=[
                    w.secondary_button(ctx, self.t("ui.common.cancel"), lambda: ctx.page.pop_dialog()),
                    w.primary_button(ctx, self.t("ui.rights.save"), save),
                ],
            )
        )

    async def _restrict(self, *, lift: bool) -> None:
        """Art. 18: hide and freeze the person's data on every device (or lift it)."""
        ctx = self.ctx
        await ctx.call(restrict_person, ctx.store, self.params["contact_id"], lift=lift)
        ctx.services.request_sync()
        ctx.toast(self.t("ui.rodo.unrestricted" if lift else "ui.rodo.restricted_now"))
        await self.load()

    async def _hand_over(self) -> None:
        """The person's copy (art. 15) in a zip encrypted with a password told to them separately,
        through the save/share dialog (a download in a browser)."""
        ctx = self.ctx
        encrypted = await ctx.call(can_encrypt)
        password = w.text_field(self.t("ui.access.password"), password=True, can_reveal_password=True)
        error = ft.Text("", color=theme.DANGER, visible=False)
        info = self.t("ui.access.password_help") if encrypted else self.t("ui.access.unencrypted")

        async def make() -> None:
            try:
                package = await ctx.call(
                    access_package, ctx.store, self.params["contact_id"], by=ctx.store.user_id,
                    password=password.value or "", lang=ctx.lang,
                )
            except ValidationFailed as failed:
                error.value = "\n".join(error_text(e, ctx.lang) for e in failed.errors)
                error.visible = True
                error.update()
                return
            ctx.page.pop_dialog()
            await ft.FilePicker().save_file(
                dialog_title=self.t("ui.access.hand_over"),
                file_name=package.name,
                src_bytes=package.data,
                file_type=ft.FilePickerFileType.CUSTOM,
                allowed_extensions=["zip"],
            )
            ctx.toast(self.t("ui.access.handed_over", name=package.name))

        ctx.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(self.t("ui.access.hand_over")),
                content=ft.Column([ft.Text(info, size=15), password, error], tight=True),
                actions=[
                    w.secondary_button(ctx, self.t("ui.common.cancel"), lambda: ctx.page.pop_dialog()),
                    w.primary_button(ctx, self.t("ui.access.make"), make),
                ],
            )
        )

    def _confirm_erase(self) -> None:
        self._confirm(
            self.t("ui.rodo.erase"), self.t("ui.rodo.erase_text"), self.t("ui.rodo.erase"), self._erase
        )

    async def _erase(self) -> None:
        ctx = self.ctx
        who = ctx.store.user_id or ctx.store.device_id  # an id, never a name, in the audit log
        await ctx.call(erase_person, ctx.store, self.params["contact_id"], by=who)
        ctx.services.request_sync()
        ctx.toast(self.t("ui.rodo.erased_now"))
        await self.load()

    # -- confirmations ----------------------------------------------------------------------

    def _confirm(self, title: str, text: str, confirm: str, action) -> None:
        ctx = self.ctx

        async def yes() -> None:
            ctx.page.pop_dialog()
            await action()

        dialog = ft.AlertDialog(
            title=ft.Text(title),
            content=ft.Text(text, size=16),
            actions=[
                w.secondary_button(ctx, self.t("ui.common.cancel"), lambda: ctx.page.pop_dialog()),
                w.primary_button(ctx, confirm, yes, bgcolor=theme.DANGER),
            ],
        )
        ctx.page.show_dialog(dialog)

    async def _confirm_withdraw(self) -> None:
        """Withdraw one scope or several: each is a box; "storing data" ends the whole consent."""
        ctx = self.ctx
        consent = await ctx.call(consent_service.current_consent, ctx.store, self.params["contact_id"])
        if consent is None:
            return
        boxes = {
            scope: ft.Checkbox(label=self.t(f"consent.scope.{scope}"), value=False)
            for scope in GRANTABLE
            if getattr(consent, f"scope_{scope}")
        }

        async def withdraw() -> None:
            chosen = tuple(scope for scope, box in boxes.items() if box.value)
            if not chosen:
                return
            ctx.page.pop_dialog()
            who = await ctx.setting(META_USER_NAME)
            await ctx.call(
                consent_service.withdraw_consent, ctx.store, self.params["contact_id"], who or "", chosen
            )
            ctx.services.request_sync()
            ctx.toast(self.t("ui.consent.withdrawn"))
            await self.load()

        ctx.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(self.t("ui.consent.withdraw")),
                content=ft.Column(
                    [ft.Text(self.t("ui.consent.withdraw_which"), size=16), *boxes.values()], tight=True
                ),
                actions=[
                    w.secondary_button(ctx, self.t("ui.common.cancel"), lambda: ctx.page.pop_dialog()),
                    w.primary_button(
                        ctx, self.t("ui.consent.withdraw_chosen"), withdraw, bgcolor=theme.DANGER
                    ),
                ],
            )
        )

    def _confirm_delete(self) -> None:
        self._confirm(
            self.t("ui.contact.delete"),
            self.t("ui.contact.delete_text"),
            self.t("ui.contact.delete"),
            self._delete,
        )

    async def _delete(self) -> None:
        await self.ctx.call(contact_service.delete_contact, self.ctx.store, self.params["contact_id"])
        self.ctx.toast(self.t("ui.contact.deleted"))
        await self.ctx.back()
