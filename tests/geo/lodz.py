"""Known places in central Łódź (WGS84, approximately at the building entrance, within ~30 m).

ul. Piotrkowska runs north–south from Plac Wolności to the cathedral, drifting slightly east; its
side streets cross it east–west.
"""

from __future__ import annotations

PLAC_WOLNOSCI = (51.77690, 19.45468)
PIOTRKOWSKA_72 = (51.768428, 19.456684)  # Grand Hotel
PIOTRKOWSKA_104 = (51.76580, 19.45720)  # City Hall
OFF_PIOTRKOWSKA = (51.75970, 19.45930)  # Piotrkowska 138/140
ARCHIKATEDRA = (51.75170, 19.46120)  # Piotrkowska 265
TRAUGUTTA_3 = (51.76880, 19.45852)
MONIUSZKI_4 = (51.76760, 19.45880)
TUWIMA_10 = (51.76480, 19.46100)
SZESCIU_SIERPNIA_5 = (51.76650, 19.45400)  # 6 Sierpnia 5
ZIELONA_2 = (51.77350, 19.45350)
WIECKOWSKIEGO_4 = (51.77160, 19.45300)
NAWROT_2 = (51.76250, 19.46050)
MANUFAKTURA = (51.78080, 19.44700)
EC1 = (51.76860, 19.46880)
LODZ_FABRYCZNA = (51.77050, 19.46650)

#: A strip about 110 m wide along Piotrkowska, from Plac Wolności to the cathedral.
PIOTRKOWSKA_CORRIDOR = [[51.7775, 19.4540], [51.7775, 19.4556], [51.7515, 19.4620], [51.7515, 19.4604]]
#: A neighbourhood zone: 500 m around the City Hall.
CITY_HALL_CIRCLE = (PIOTRKOWSKA_104, 500.0)

#: Doors to knock on around the centre (for walk lists): name → point.
DOORS = {
    "Piotrkowska 72": PIOTRKOWSKA_72,
    "Piotrkowska 104": PIOTRKOWSKA_104,
    "Traugutta 3": TRAUGUTTA_3,
    "Moniuszki 4": MONIUSZKI_4,
    "Tuwima 10": TUWIMA_10,
    "6 Sierpnia 5": SZESCIU_SIERPNIA_5,
    "Zielona 2": ZIELONA_2,
    "Więckowskiego 4": WIECKOWSKIEGO_4,
    "Nawrot 2": NAWROT_2,
}
