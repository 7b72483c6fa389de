"""Screens of the cooperation network (issue 8), under the Strefa tab.

- ``network_view``  /zone/network (listed on Strefa): the drawing, best-connected people, who to
                    invite next, all links; buttons to the three lists below.
- ``groups``        /zone/groups, /zone/groups/new (built from suggested people), /zone/groups/:id
- ``meetings``      /zone/meetings, /zone/meetings/:id (attendance, head-count, tasks),
                    /zone/meetings/:id/new-person (quick add, consent first)
- ``meeting_new``   /zone/meetings/new (a training session's hours and series, a consultation's outcome)
- ``partnerships``  /zone/partnerships, /zone/partnerships/new, /zone/partnerships/:id (phases)
- ``person``        /zone/network/people/:id and /contacts/:id/network: the engagement ladder
- ``volunteering``  /zone/network/people/:id/volunteering: volunteering roles and hours given

The shell imports this package at start-up (``registry.load_screens``); importing the modules here
registers their routes.
"""

from fieldapp.ui.cooperation import (
    groups,
    meeting_new,
    meetings,
    network_view,
    partnerships,
    person,
    volunteering,
)

__all__ = ["groups", "meeting_new", "meetings", "network_view", "partnerships", "person", "volunteering"]
