"""Screens of community places and social-economy animation (issue 26), under the Strefa tab.

- ``places``        /zone/places (listed on Strefa), /zone/places/new
- ``place_detail``  /zone/places/:id: the stage and its history, partners by sector, rooms,
                    bookings with clashes flagged, the self-assessment against the principles
- ``trainings``     /zone/series (listed on Strefa), /zone/series/:id: a training series against its
                    plan (sessions, hours, individual support) and attendance per session
- ``editions``      /more/editions (listed on Więcej): program editions and the base each carried
- ``participants``  /zone/participants/:event_type/:event_id: who took part, anonymous counts
- ``owes``          /zone/owes (listed on Strefa: the period's indicators and activities),
                    /zone/owes/new

("Place" alone names the map's address settings, ``ui/place_settings.py``: hence *community*.)
"""

from fieldapp.ui.community import editions, owes, participants, place_detail, places, trainings

__all__ = ["editions", "owes", "participants", "place_detail", "places", "trainings"]
