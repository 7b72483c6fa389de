"""Places: map, walk list, GPS, geocoding and zone geometry."""

PL: dict[str, str] = {
    # directions and distances
    "geo.dir.n": "na północ",
    "geo.dir.ne": "na północny wschód",
    "geo.dir.e": "na wschód",
    "geo.dir.se": "na południowy wschód",
    "geo.dir.s": "na południe",
    "geo.dir.sw": "na południowy zachód",
    "geo.dir.w": "na zachód",
    "geo.dir.nw": "na północny zachód",
    "geo.distance_direction": "{distance} {direction}",
    "geo.here": "tutaj",
    "geo.zone": "Strefa",
    "geo.no_zone": "Bez strefy (okolica)",
    "geo.close": "Zamknij",
    # position of a record (Contact.position_status)
    "geo.status.pending": "Położenie: czeka na ustalenie",
    "geo.status.ok": "Położenie ustalone z adresu",
    "geo.status.failed": "Położenie: trzeba wybrać lub wskazać",
    "geo.status.manual": "Położenie wskazane ręcznie",
    # geocoding problems
    "geo.error.offline": "Brak połączenia — adres zostanie sprawdzony, gdy wróci sieć.",
    "geo.error.timeout": "Serwer adresów nie odpowiedział na czas — spróbujemy ponownie.",
    "geo.error.server_error": "Serwer adresów ma kłopot — spróbujemy ponownie później.",
    "geo.error.rate_limited": "Serwer adresów prosi o przerwę — spróbujemy za chwilę.",
    "geo.error.forbidden": "Serwer adresów odmówił dostępu — sprawdź ustawienia wyszukiwania adresów.",
    "geo.error.bad_query": "Serwer adresów nie zrozumiał adresu — popraw go.",
    "geo.error.bad_response": (
        "Serwer adresów odpowiedział niezrozumiale — "
        "sprawdź jego adres w ustawieniach."
    ),
    # picking among candidates
    "geo.pick.title": "Adresy do sprawdzenia",
    "geo.pick.count": "Adresy do sprawdzenia: {count}",
    "geo.pick.needs_choice": "Kilka pasujących miejsc — wybierz właściwe.",
    "geo.pick.not_found": "Nie znaleziono adresu — popraw go albo wskaż miejsce na mapie.",
    "geo.pick.error": "Nie udało się sprawdzić adresu — popraw go albo wskaż miejsce na mapie.",
    "geo.pick.approximate": "znaleziono tylko ulicę, bez numeru domu",
    "geo.pick.pin": "Wskaż na mapie",
    "geo.pick.tap_map": "Dotknij mapy tam, gdzie są drzwi.",
    "geo.pick.pinned": "Zapisano wskazane miejsce.",
    "geo.pick.saved": "Zapisano położenie.",
    # GPS
    "geo.gps.locate": "Moja pozycja",
    "geo.gps.reading": "Ustalam pozycję…",
    "geo.gps.ok": "Pozycja z GPS (dokładność ok. {accuracy})",
    "geo.gps.denied": "Brak zgody na lokalizację — wskaż miejsce ręcznie albo podaj adres.",
    "geo.gps.denied_forever": (
        "Lokalizacja jest zablokowana dla aplikacji — "
        "zmień to w ustawieniach telefonu."
    ),
    "geo.gps.service_off": "Lokalizacja w telefonie jest wyłączona — włącz ją albo wskaż miejsce ręcznie.",
    "geo.gps.unsupported": "To urządzenie nie podaje pozycji — wskaż miejsce ręcznie albo podaj adres.",
    "geo.gps.timeout": "Nie udało się ustalić pozycji na czas (budynek?) — spróbuj na zewnątrz.",
    "geo.gps.error": "Nie udało się ustalić pozycji — wskaż miejsce ręcznie albo podaj adres.",
    "geo.gps.open_settings": "Ustawienia",
    # map
    "geo.map.title": "Mapa",
    "geo.map.show_list": "Lista",
    "geo.map.show_map": "Mapa",
    "geo.map.tiles_failed": (
        "Mapa się nie wczytuje (brak sieci lub serwera map) "
        "— pokazuję listę z odległościami."
    ),
    "geo.map.still_no_tiles": "Mapa nadal się nie wczytuje — zostaje lista.",
    "geo.map.counts": "kontakty: {contacts}, zasoby: {resources}, wizyty: {visits}",
    "geo.map.from_position": "odległości od Ciebie",
    "geo.map.from_zone": "odległości od środka strefy",
    "geo.map.you": "Tu jesteś",
    "geo.map.no_items": "Nic tu jeszcze nie ma na mapie.",
    # walk list
    "geo.walk.title": "Trasa po drzwiach",
    "geo.walk.route": "Kolejność",
    "geo.walk.summary": "Drzwi: {doors}, zostało: {left}, trasa: {distance}",
    "geo.walk.empty": "Brak drzwi do odwiedzenia w tej strefie.",
    "geo.walk.all_done": "Wszystkie drzwi na dziś odwiedzone.",
    "geo.walk.next_door": "Następne drzwi",
    "geo.walk.flats": "Mieszkania: {flats}",
    "geo.walk.no_position": "Dotknij „Moja pozycja”, by zobaczyć odległość",
    "geo.walk.first": "początek trasy",
    "geo.walk.log_visit": "Zapisz wizytę",
    "geo.walk.done": "Zrobione, dalej",
    "geo.walk.done_mark": "odwiedzone",
    "geo.walk.skipped": "Pominięte: {count}",
    "geo.walk.reason.do_not_knock": "nie pukać",
    "geo.walk.reason.visited_today": "już dziś odwiedzone",
    "geo.walk.unlocated": "Bez położenia (poza trasą): {count}",
    "geo.walk.residents_only": "Tylko mieszkańcy",
    "geo.walk.replan": "Ułóż trasę od nowa",
    # settings
    "geo.settings.title": "Mapa i adresy",
    "geo.settings.help": (
        "Skąd aplikacja bierze położenie adresów i kafelki mapy. Domyślnie publiczne serwery "
        "OpenStreetMap; miasto może podać własne, a mapę offline — serwer na tym urządzeniu."
    ),
    "geo.settings.geocoder_url": "Serwer wyszukiwania adresów (Nominatim)",
    "geo.settings.user_agent": "Nazwa aplikacji dla serwera adresów",
    "geo.settings.default_city": "Domyślne miasto (dopisywane do adresów)",
    "geo.settings.tile_url": "Adres kafelków mapy",
    "geo.settings.save": "Zapisz ustawienia",
    "geo.settings.saved": "Zapisano ustawienia mapy i adresów.",
    "geo.settings.check": "Sprawdź połączenie",
    "geo.settings.checking": "Sprawdzam…",
    "geo.settings.tiles_ok": "Kafelki mapy: działają.",
    "geo.settings.tiles_failed": "Kafelki mapy: nie wczytują się.",
    "geo.settings.geocoder_ok": "Serwer adresów: odpowiada.",
    # validation of places
    "error.geo_position_invalid": "To nie jest poprawne położenie (szerokość −90…90, długość −180…180).",
    "error.geo_center_missing": "Podaj obie współrzędne środka strefy.",
    "error.geo_radius_range": "Promień strefy musi mieć od {min} do {max} m.",
    "error.geo_polygon_format": "Granica strefy to lista punktów [szerokość, długość].",
    "error.geo_polygon_too_few_points": "Granica strefy potrzebuje co najmniej 3 różnych punktów.",
    "error.geo_polygon_self_intersecting": "Granica strefy przecina samą siebie — popraw kolejność punktów.",
    "error.geo_provider_unknown": "Nieznana usługa adresów: {provider}.",
    "error.geo_domain_invalid": "Podaj adres serwera adresów (np. nominatim.openstreetmap.org).",
    "error.geo_scheme_invalid": "Adres serwera musi zaczynać się od http:// lub https://.",
    "error.geo_user_agent_required": (
        "Podaj nazwę aplikacji dla serwera adresów "
        "(wymaga tego jego regulamin)."
    ),
    "error.geo_timeout_invalid": "Czas oczekiwania musi być większy od zera.",
    "error.geo_delay_invalid": "Odstęp między zapytaniami nie może być ujemny.",
    "error.geo_tile_url_invalid": (
        "Adres kafelków mapy musi zaczynać się od "
        "http(s):// i zawierać {z}, {x} i {y}."
    ),
}

EN: dict[str, str] = {
    "geo.dir.n": "north",
    "geo.dir.ne": "north-east",
    "geo.dir.e": "east",
    "geo.dir.se": "south-east",
    "geo.dir.s": "south",
    "geo.dir.sw": "south-west",
    "geo.dir.w": "west",
    "geo.dir.nw": "north-west",
    "geo.distance_direction": "{distance} {direction}",
    "geo.here": "here",
    "geo.zone": "Zone",
    "geo.no_zone": "No zone (around here)",
    "geo.close": "Close",
    "geo.status.pending": "Position: waiting to be found",
    "geo.status.ok": "Position found from the address",
    "geo.status.failed": "Position: pick or pin it",
    "geo.status.manual": "Position pinned by hand",
    "geo.error.offline": "No connection — the address will be looked up when the network is back.",
    "geo.error.timeout": "The address server did not answer in time — we will try again.",
    "geo.error.server_error": "The address server has a problem — we will try again later.",
    "geo.error.rate_limited": "The address server asks for a pause — we will try again shortly.",
    "geo.error.forbidden": "The address server refused access — check the address lookup settings.",
    "geo.error.bad_query": "The address server did not understand the address — correct it.",
    "geo.error.bad_response": (
        "The address server gave an unreadable answer — "
        "check its address in the settings."
    ),
    "geo.pick.title": "Addresses to check",
    "geo.pick.count": "Addresses to check: {count}",
    "geo.pick.needs_choice": "Several places match — pick the right one.",
    "geo.pick.not_found": "Address not found — correct it or pin the place on the map.",
    "geo.pick.error": "The address could not be looked up — correct it or pin the place on the map.",
    "geo.pick.approximate": "only the street was found, not the house number",
    "geo.pick.pin": "Pin on the map",
    "geo.pick.tap_map": "Tap the map where the door is.",
    "geo.pick.pinned": "The pinned place is saved.",
    "geo.pick.saved": "Position saved.",
    "geo.gps.locate": "My position",
    "geo.gps.reading": "Finding your position…",
    "geo.gps.ok": "GPS position (accuracy about {accuracy})",
    "geo.gps.denied": "Location permission not given — pin the place by hand or give the address.",
    "geo.gps.denied_forever": "Location is blocked for the app — change it in the phone's settings.",
    "geo.gps.service_off": "Location is switched off on the phone — switch it on or pin the place by hand.",
    "geo.gps.unsupported": "This device gives no position — pin the place by hand or give the address.",
    "geo.gps.timeout": "No position in time (indoors?) — try outside.",
    "geo.gps.error": "The position could not be found — pin the place by hand or give the address.",
    "geo.gps.open_settings": "Settings",
    "geo.map.title": "Map",
    "geo.map.show_list": "List",
    "geo.map.show_map": "Map",
    "geo.map.tiles_failed": (
        "The map does not load (no network or map server) — "
        "showing the list with distances."
    ),
    "geo.map.still_no_tiles": "The map still does not load — staying with the list.",
    "geo.map.counts": "contacts: {contacts}, resources: {resources}, visits: {visits}",
    "geo.map.from_position": "distances from you",
    "geo.map.from_zone": "distances from the zone's centre",
    "geo.map.you": "You are here",
    "geo.map.no_items": "Nothing on the map here yet.",
    "geo.walk.title": "Door-to-door route",
    "geo.walk.route": "Order",
    "geo.walk.summary": "Doors: {doors}, left: {left}, route: {distance}",
    "geo.walk.empty": "No doors to visit in this zone.",
    "geo.walk.all_done": "All of today's doors visited.",
    "geo.walk.next_door": "Next door",
    "geo.walk.flats": "Flats: {flats}",
    "geo.walk.no_position": "Tap “My position” to see the distance",
    "geo.walk.first": "start of the route",
    "geo.walk.log_visit": "Log the visit",
    "geo.walk.done": "Done, next",
    "geo.walk.done_mark": "visited",
    "geo.walk.skipped": "Skipped: {count}",
    "geo.walk.reason.do_not_knock": "do not knock",
    "geo.walk.reason.visited_today": "already visited today",
    "geo.walk.unlocated": "Without a position (not on the route): {count}",
    "geo.walk.residents_only": "Residents only",
    "geo.walk.replan": "Plan the route again",
    "geo.settings.title": "Map and addresses",
    "geo.settings.help": (
        "Where the app looks up addresses and gets map tiles. By default the public OpenStreetMap "
        "servers; a city can give its own, and offline maps a server on this device."
    ),
    "geo.settings.geocoder_url": "Address lookup server (Nominatim)",
    "geo.settings.user_agent": "Application name for the address server",
    "geo.settings.default_city": "Default city (added to addresses)",
    "geo.settings.tile_url": "Map tile address",
    "geo.settings.save": "Save settings",
    "geo.settings.saved": "Map and address settings saved.",
    "geo.settings.check": "Check the connection",
    "geo.settings.checking": "Checking…",
    "geo.settings.tiles_ok": "Map tiles: working.",
    "geo.settings.tiles_failed": "Map tiles: not loading.",
    "geo.settings.geocoder_ok": "Address server: answering.",
    "error.geo_position_invalid": "This is not a valid position (latitude −90…90, longitude −180…180).",
    "error.geo_center_missing": "Give both coordinates of the zone's centre.",
    "error.geo_radius_range": "The zone's radius must be between {min} and {max} m.",
    "error.geo_polygon_format": "The zone's boundary is a list of [latitude, longitude] points.",
    "error.geo_polygon_too_few_points": "The zone's boundary needs at least 3 different points.",
    "error.geo_polygon_self_intersecting": (
        "The zone's boundary crosses itself — fix "
        "the order of the points."
    ),
    "error.geo_provider_unknown": "Unknown address service: {provider}.",
    "error.geo_domain_invalid": "Give the address server's host (e.g. nominatim.openstreetmap.org).",
    "error.geo_scheme_invalid": "The server address must start with http:// or https://.",
    "error.geo_user_agent_required": (
        "Give an application name for the address server "
        "(its usage policy requires it)."
    ),
    "error.geo_timeout_invalid": "The timeout must be more than zero.",
    "error.geo_delay_invalid": "The delay between requests cannot be negative.",
    "error.geo_tile_url_invalid": (
        "The map tile address must start with http(s):// "
        "and contain {z}, {x} and {y}."
    ),
}
