"""The record of processing activities (RODO art. 30(1)), generated from the program's settings: the
controller and its DPO (the published information clause), and per activity its purpose, legal
basis, categories of people and data, recipients, retention (the device's retention setting; the
service's own ``retention_*`` settings are the authority) and the security measures. A readable
HTML page the coordinator downloads from the clause screen and completes where the program differs.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from fieldapp.i18n import t
from fieldapp.i18n.format import format_date
from fieldapp.services.clause import current_clause
from fieldapp.services.rodo.retention import retention_days
from fieldapp.store import Store

#: The activities, by their catalog key (``processing.<activity>.<item>``).
ACTIVITIES = ("residents", "doors", "organisations", "meetings", "requests")
ITEMS = ("purpose", "basis", "people", "data", "recipients", "retention")


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("fieldapp.services.rodo", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def processing_record(store: Store, lang: str = "pl") -> dict[str, Any]:
    clause = current_clause(store, lang)
    days = retention_days(store)
    return {
        "controller": clause.controller,
        "dpo": clause.dpo_contact,
        "clause_version": clause.version,
        "activities": [
            {
                "name": t(f"processing.{activity}.name", lang),
                "items": [
                    (t(f"processing.item.{item}", lang), t(f"processing.{activity}.{item}", lang, days=days))
                    for item in ITEMS
                ],
            }
            for activity in ACTIVITIES
        ],
        "security": t("processing.security", lang),
    }


def processing_record_html(store: Store, lang: str = "pl") -> tuple[str, bytes]:
    """The record as one HTML page: (file name, bytes)."""
    record = processing_record(store, lang)
    page = _environment().get_template("processing.html.j2").render(
        lang=lang,
        heading=t("processing.heading", lang),
        generated=t("access.generated", lang, when=format_date(datetime.now(), lang)),
        labels={key: t(f"processing.label.{key}", lang) for key in ("controller", "dpo", "clause",
                                                                    "security")},
        **record,
    )
    return t("processing.file", lang), page.encode("utf-8")
