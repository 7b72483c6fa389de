"""The Flet UI: one module per screen, a shell with bottom navigation, shared widgets.

Layout of the package
---------------------
- ``registry.py``  routes → screens, the five bottom-navigation tabs (``TABS``), menu entries.
- ``shell.py``     the stack of views: a tab's root screen at the bottom, detail screens above it,
                   back navigation, live language switch (``Shell.rebuild``); it registers itself
                   as the context's ``Navigator`` (``navigation.py``), so nothing imports the shell.
- ``screen.py``    ``Screen``, the base class of every screen.
- ``context.py``   ``UiContext`` (store, translator, ``call`` = run blocking work in a thread,
                   ``go``/``back``/``replace``, ``toast``, ``handler`` = error-safe event handlers,
                   settings kept in the store's ``meta``) and ``AppServices`` (the lazily imported
                   sync client).
- ``widgets.py``   big buttons, fields, ``ChoiceField`` (accessible picker), rows, cards, dates.
- ``forms.py``     ``Form``: inputs by the service's field names, errors shown beside each field.
- ``theme.py``     the high-contrast light theme and sizes (``TOUCH`` = 48 px).
- panels (widgets for one screen or two): ``map_panel`` (the map or its list), ``walk_panel``;
  ``place_screen`` is the base of the map and walk screens (zone picker, GPS position).
- screens: ``today`` (Dziś), ``contacts``/``contact_detail``/``contact_form`` (Kontakty),
  ``doors`` (Wizyty, door-to-door), ``zone``/``diagnosis``/``actions``/``map_screen``/
  ``walk_screen`` (Strefa), ``more``/``sync_screen``/``place_settings`` (Więcej); the
  cooperation screens in ``cooperation/``.
- Addresses, money, dates and distances are written through ``fieldapp.i18n.format``.

Adding a screen
---------------
1. Create ``fieldapp/ui/<what_it_shows>.py`` with a ``Screen`` subclass and register its route::

       from fieldapp.ui.registry import MenuEntry, screen
       from fieldapp.ui.screen import Screen

       @screen("/zone/map", menu=MenuEntry("/zone", "ui.map.title", ft.Icons.MAP, order=10))
       class MapScreen(Screen):
           title_key = "ui.map.title"          # a key in your own i18n catalog area
           def build(self) -> ft.Control: ...   # fast: no database access here
           async def load(self) -> None: ...    # fill it: await self.ctx.call(service_fn, self.ctx.store)

   Every module in this package is imported at start-up (``registry.load_screens``), so the file
   is all it takes; a module that fails to import is logged and skipped.
2. The route's first segment picks its tab (``/zone/...`` opens under Strefa, ``/contacts/...``
   under Kontakty; anything else under Więcej); pass ``tab=`` to choose another. ``:name``
   segments become ``self.params["name"]``; ``?a=1`` becomes ``self.query``.
3. ``menu=MenuEntry("/more" | "/zone", label_key, icon)`` lists the screen on the Więcej or Strefa
   screen; or link to it from any screen with ``self.ctx.go("/zone/map")``.
4. Use ``self.on(handler)`` (or widgets from ``widgets.py``, which do it) for every event handler
   and ``await self.ctx.call(...)`` for every SQLite/HTTP call; give every control a label or a
   tooltip — screen readers read it and the e2e tests (``tests/e2e``) find controls by it.

The bottom navigation stays at five tabs (``registry.TABS``); new areas go under a tab.
"""
