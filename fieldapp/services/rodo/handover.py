"""A person's access export (RODO art. 15) as it is handed over: the art. 15(1) information and the
data, in Polish, as a readable HTML page and a machine-readable JSON file, in one zip encrypted with
a password given to the person separately (AES, pyzipper) where the platform has it.

On a device without pyzipper (its AES needs a native library the phone's package index may lack)
the zip is plain and ``Package.encrypted`` says so, so the screen can tell the coordinator to hand
it over in person. The UI passes the bytes to the save/share dialog, as report exports go; nothing
is left in the app's folder.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from fieldapp.errors import Errors
from fieldapp.i18n import t
from fieldapp.i18n.format import format_date
from fieldapp.services.clause import current_clause
from fieldapp.services.rodo.export import export_person
from fieldapp.store import Store

#: The person's data sections, by their key in ``export_person``, in the order shown.
SECTIONS = ("contact", "consents", "visits", "tasks", "resources", "attendance", "memberships",
            "partners", "actions", "reviews", "audit")
#: The art. 15(1) items, (a)–(h), by their catalog key.
ART15_ITEMS = ("purposes", "categories", "recipients", "retention", "rights", "complaint", "source",
               "automated")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class Package:
    name: str
    data: bytes
    media_type: str
    encrypted: bool


def can_encrypt() -> bool:
    try:
        import pyzipper  # noqa: F401
    except ImportError:
        return False
    return True


def _label(prefix: str, name: str, lang: str) -> str:
    key = f"{prefix}.{name}"
    text = t(key, lang)
    return name if text == key else text


def art15_information(store: Store, lang: str = "pl") -> dict[str, str]:
    """The information art. 15(1) requires with the copy, under Polish (or English) labels."""
    clause = current_clause(store, lang)
    info = {
        t("access.info.controller", lang): clause.controller,
        t("access.info.dpo", lang): clause.dpo_contact,
        t("access.info.clause_version", lang): clause.version,
    }
    for item in ART15_ITEMS:
        info[t(f"access.art15.{item}.label", lang)] = t(f"access.art15.{item}", lang)
    return info


def access_document(store: Store, contact_id: str, *, by: str | None, lang: str = "pl") -> dict[str, Any]:
    """The export as handed over: information first, then the data, with translated section keys."""
    data = export_person(store, contact_id, by=by)
    return {
        t("access.key.format", lang): data["format"],
        t("access.key.exported_at", lang): data["exported_at"],
        t("access.key.information", lang): art15_information(store, lang),
        t("access.key.data", lang): {
            _label("access.section", key, lang): _labelled(data.get(key), lang) for key in SECTIONS
        },
    }


def _labelled(rows: Any, lang: str) -> Any:
    """A section's rows with each field under its label (Polish by default)."""
    if isinstance(rows, dict):
        return {_label("access.field", name, lang): value for name, value in rows.items()}
    return [_labelled(row, lang) for row in rows or []]


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("fieldapp.services.rodo", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def access_html(store: Store, document: dict[str, Any], lang: str = "pl") -> str:
    """The readable page: the information, then each section's rows as labelled fields."""
    data = document[t("access.key.data", lang)]
    sections = []
    for key in SECTIONS:
        title = _label("access.section", key, lang)
        rows = data.get(title)
        rows = [rows] if isinstance(rows, dict) else (rows or [])
        sections.append({
            "title": title,
            "rows": [[(name, _value(v)) for name, v in row.items()] for row in rows],
        })
    return _environment().get_template("access.html.j2").render(
        lang=lang,
        heading=t("access.heading", lang),
        generated=t("access.generated", lang, when=format_date(datetime.now(), lang)),
        information_title=t("access.key.information", lang),
        information=document[t("access.key.information", lang)],
        sections=sections,
        empty=t("access.empty", lang),
    )


def access_package(
    store: Store, contact_id: str, *, by: str | None, password: str = "", lang: str = "pl"
) -> Package:
    """The zip to hand over (``dane-osoby-….zip``): the HTML page and the JSON file, encrypted with
    ``password`` where pyzipper is installed (a password of at least 8 characters is then required)."""
    encrypt = can_encrypt()
    errors = Errors()
    if encrypt and len(password) < MIN_PASSWORD:
        errors.add("password", "export_password_short", min=MIN_PASSWORD)
    errors.raise_if_any()
    document = access_document(store, contact_id, by=by, lang=lang)
    files = {
        t("access.file.html", lang): access_html(store, document, lang).encode("utf-8"),
        t("access.file.json", lang): json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"),
    }
    buffer = io.BytesIO()
    if encrypt:
        import pyzipper

        with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED,
                                 encryption=pyzipper.WZ_AES) as archive:
            archive.setpassword(password.encode("utf-8"))
            for name, content in files.items():
                archive.writestr(name, content)
    else:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in files.items():
                archive.writestr(name, content)
    name = f"{t('access.file.zip', lang)}-{contact_id[:8]}.zip"
    return Package(name, buffer.getvalue(), "application/zip", encrypt)
