"""Places: geocoding, distances, zones, nearby queries, walk lists, GPS and map tiles. No Flet here
(except ``gps`` reading through a flet-geolocator object handed in); the screens are
``fieldapp.ui.map_screen``, ``walk_screen`` and ``place_settings`` (panels ``map_panel``,
``walk_panel``).

- ``distance``   exact geodesic distance/bearing (geographiclib) and the fast local flat metric.
- ``zones``      membership of a point (circle by geodesic distance, polygon), ``derive_zone_id`` /
                 ``assign_zone`` for the save path, outlines for maps, ``zone_shape_errors``.
- ``spatial``    ``nearby(store, lat, lon, radius_m)``: contacts/resources within N m (the store's
                 R*Tree, ``fieldapp.store.spatial_index``; plain lat/lon index where SQLite lacks it).
- ``settings``   ``GeocoderSettings`` (Nominatim by default, own server by domain/scheme or base URL)
                 and ``TileSettings``, kept in the store's ``meta``.
- ``geocoding``  ``Geocoding(store).forward(address)`` / ``.reverse(lat, lon)`` → ``GeocodeResult``
                 (ok | ambiguous | not_found | unavailable | rate_limited | error), cached, one geopy
                 ``RateLimiter`` per service and process.
- ``positions``  ``place_fields(conn, record, changed)`` — the services' hook (zone + geocoding
                 queue); ``GeocodeQueue`` / ``QueueResolver`` resolve queued addresses when the service
                 answers; ``choose_place`` / ``set_position`` record the user's pick or pin.
- ``background`` ``start_geocoding(store)`` / ``wake_geocoding(store)``: the app's resolver thread.
- ``address``    reading typed Polish addresses (``AddressQuery``).
- ``route``      ``order_route(points, start)``: nearest neighbour + 2-opt + Or-opt (+ kicks).
- ``walk``       ``build_walk_list(store, zone_id, start)`` → ``WalkList`` (stops by building, skips
                 for "do not knock" and visited today, ``next_door(position, done)``).
- ``mapdata``    ``load_map_data(store, zone_id=, position=)`` → markers, outline, distances.
- ``gps``        ``GpsReader(geolocator).read()`` with the permission flow; ``manual_fix``.
- ``tiles``      ``probe_tiles``, ``MBTilesServer`` (offline maps), ``write_mbtiles``.
"""
