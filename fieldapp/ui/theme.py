"""Look and feel: a light, high-contrast theme that stays readable in sunlight, big touch targets."""

from __future__ import annotations

import flet as ft

#: Minimum height of anything a finger has to hit (Material and WCAG: 48 px).
TOUCH = 48
#: The door-knock outcome buttons are bigger still: used one-handed, often in a hurry.
OUTCOME_HEIGHT = 64

INK = "#111111"  # body text on white: ~18:1
MUTED = "#3D3D3D"  # secondary text, still > 10:1 on white
PRIMARY = "#0B4A8F"  # white on it: ~9:1
PRIMARY_CONTAINER = "#D6E4F5"
DANGER = "#A50E0E"
WARNING_BG = "#FFF1C2"
OK = "#1B5E20"
SURFACE = "#FFFFFF"
SURFACE_LOW = "#F2F4F7"
OUTLINE = "#5A5A5A"

#: Background colour of each door-knock outcome button (white text on each is ≥ 7:1).
OUTCOME_COLORS: dict[str, str] = {
    "not_home": "#37474F",
    "talked": "#1B5E20",
    "come_back": "#7A4100",
    "refused": "#A50E0E",
    "do_not_knock": "#3E1F6E",
}
DEFAULT_OUTCOME_COLOR = "#263238"

#: Status colours of neighbourhood actions (badge background; text white).
ACTION_STATUS_COLORS: dict[str, str] = {
    "idea": "#455A64",
    "planned": "#0B4A8F",
    "funded": "#6A1B9A",
    "done": "#1B5E20",
    "reported": "#004D40",
    "dropped": "#5D4037",
}


def app_theme() -> ft.Theme:
    """The app's theme: explicit colours (no seed guessing), standard density for 48 px targets."""
    return ft.Theme(
        color_scheme=ft.ColorScheme(
            primary=PRIMARY,
            on_primary=ft.Colors.WHITE,
            primary_container=PRIMARY_CONTAINER,
            on_primary_container=INK,
            secondary=PRIMARY,
            on_secondary=ft.Colors.WHITE,
            secondary_container=PRIMARY_CONTAINER,
            on_secondary_container=INK,
            surface=SURFACE,
            on_surface=INK,
            on_surface_variant=MUTED,
            surface_container_lowest=SURFACE,
            surface_container_low=SURFACE_LOW,
            surface_container=SURFACE_LOW,
            surface_container_high="#E8EBF0",
            surface_container_highest="#E1E5EB",
            outline=OUTLINE,
            outline_variant="#9E9E9E",
            error=DANGER,
            on_error=ft.Colors.WHITE,
        ),
        visual_density=ft.VisualDensity.STANDARD,
        # Screens appear at once: no animation to wait for on a cheap phone (or in a test).
        page_transitions=ft.PageTransitionsTheme(
            android=ft.PageTransitionTheme.NONE,
            ios=ft.PageTransitionTheme.NONE,
            linux=ft.PageTransitionTheme.NONE,
            macos=ft.PageTransitionTheme.NONE,
            windows=ft.PageTransitionTheme.NONE,
        ),
        use_material3=True,
    )
