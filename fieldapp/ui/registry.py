"""The route registry: which screen answers which route, under which bottom-navigation tab.

Screens register themselves with the ``@screen(...)`` decorator when their module is imported;
``load_screens()`` imports every module of the ``fieldapp.ui`` package once, so adding a screen is
adding a module (see the package docstring).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import flet as ft

if TYPE_CHECKING:
    from fieldapp.ui.screen import Screen

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tab:
    """A bottom-navigation destination (at most five)."""

    route: str
    label_key: str
    icon: ft.IconData
    selected_icon: ft.IconData


TABS: tuple[Tab, ...] = (
    Tab("/today", "ui.nav.today", ft.Icons.TODAY_OUTLINED, ft.Icons.TODAY),
    Tab("/contacts", "ui.nav.contacts", ft.Icons.PEOPLE_OUTLINE, ft.Icons.PEOPLE),
    Tab("/doors", "ui.nav.doors", ft.Icons.DOOR_FRONT_DOOR_OUTLINED, ft.Icons.DOOR_FRONT_DOOR),
    Tab("/zone", "ui.nav.zone", ft.Icons.MAP_OUTLINED, ft.Icons.MAP),
    Tab("/more", "ui.nav.more", ft.Icons.MENU, ft.Icons.MENU_OPEN),
)
HOME = TABS[0].route


@dataclass(frozen=True)
class MenuEntry:
    """A link to a screen in a tab's menu (e.g. the list on "Więcej")."""

    menu: str  # the tab route whose screen lists it: "/more" or "/zone"
    label_key: str
    icon: ft.IconData
    order: int = 100


@dataclass(frozen=True)
class RouteSpec:
    pattern: str  # "/contacts/:contact_id" — ":name" matches one path segment
    factory: Callable[..., Screen]
    tab: str  # the tab highlighted (and the root under which the screen opens)
    menu: MenuEntry | None
    regex: re.Pattern[str]

    @property
    def is_tab_root(self) -> bool:
        return self.pattern == self.tab


_ROUTES: list[RouteSpec] = []
_loaded = False


def _compile(pattern: str) -> re.Pattern[str]:
    parts = []
    for segment in pattern.strip("/").split("/"):
        if segment.startswith(":"):
            parts.append(f"(?P<{segment[1:]}>[^/]+)")
        else:
            parts.append(re.escape(segment))
    return re.compile("^/" + "/".join(parts) + "/?$")


def tab_of(pattern: str) -> str:
    """The tab a route belongs to: the tab whose route is its first path segment, else Więcej."""
    first = "/" + pattern.strip("/").split("/")[0]
    return next((tab.route for tab in TABS if tab.route == first), "/more")


def screen(pattern: str, *, tab: str | None = None, menu: MenuEntry | None = None):
    """Register a Screen class for a route pattern (a class decorator)."""

    def register(cls: type[Screen]) -> type[Screen]:
        if any(spec.pattern == pattern for spec in _ROUTES):
            raise RuntimeError(f"route registered twice: {pattern}")
        _ROUTES.append(RouteSpec(pattern, cls, tab or tab_of(pattern), menu, _compile(pattern)))
        return cls

    return register


def load_screens() -> None:
    """Import every module of ``fieldapp.ui`` so their ``@screen`` registrations run.

    A module that fails to import is logged and skipped: one broken screen must not stop the app.
    """
    global _loaded
    if _loaded:
        return
    import fieldapp.ui as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        try:
            importlib.import_module(f"{package.__name__}.{info.name}")
        except Exception:
            log.exception("screen module %s failed to import; skipped", info.name)
    _loaded = True


def routes() -> list[RouteSpec]:
    load_screens()
    return list(_ROUTES)


def match(route: str) -> tuple[RouteSpec, dict[str, str]] | None:
    """The registered route for a concrete route string (query string ignored), with its params."""
    path = route.split("?", 1)[0] or "/"
    # Literal segments win over parameters: "/contacts/new" before "/contacts/:contact_id".
    for spec in sorted(routes(), key=lambda s: s.pattern.count(":")):
        found = spec.regex.match(path)
        if found:
            return spec, found.groupdict()
    return None


def query_params(route: str) -> dict[str, str]:
    """``?a=1&b=2`` of a route as a dict (values URL-decoded)."""
    from urllib.parse import parse_qsl

    return dict(parse_qsl(route.split("?", 1)[1])) if "?" in route else {}


def menu_entries(menu: str) -> list[tuple[RouteSpec, MenuEntry]]:
    """The screens listed in a tab's menu, in order."""
    entries = [(spec, spec.menu) for spec in routes() if spec.menu and spec.menu.menu == menu]
    return sorted(entries, key=lambda item: (item[1].order, item[0].pattern))
