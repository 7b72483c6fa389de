"""What screens may ask of the navigation, without knowing the shell that provides it.

``UiContext`` holds a ``Navigator``; the shell registers itself as one when it starts. Screens
navigate through the context (``ctx.go``, ``await ctx.back()``, ``await ctx.replace(route)``), so
the context, the screens and the registry import nothing of the shell.
"""

from __future__ import annotations

from typing import Protocol


class Navigator(Protocol):
    async def back(self) -> None:
        """Close the top screen and return to the one below (or to the home tab)."""

    async def replace(self, route: str) -> None:
        """Close the top screen and open ``route`` in its place (e.g. a saved form → the record)."""

    def rebuild(self) -> None:
        """Rebuild every open screen (after the language changed), keeping the same routes."""
