"""Analysis of the cooperation network: member suggestions, the engagement ladder, the network graph,
who to invite next, and a deterministic layout for drawing the graph offline. No Flet imports."""

from fieldapp.cooperation.graph import (
    LINK_KINDS,
    Connected,
    Edge,
    NetworkGraph,
    Node,
    best_connected,
    isolated,
    network_graph,
)
from fieldapp.cooperation.invite import Invitation, who_to_invite
from fieldapp.cooperation.ladder import (
    Ladder,
    LadderReport,
    Rung,
    Step,
    engagement_ladder,
    ladder_report,
    ladders,
)
from fieldapp.cooperation.layout import layout
from fieldapp.cooperation.matching import terms, words_match
from fieldapp.cooperation.suggestions import Reason, Suggestion, reasons_for, suggest_for, suggest_members

__all__ = [
    "LINK_KINDS",
    "Connected",
    "Edge",
    "Invitation",
    "Ladder",
    "LadderReport",
    "NetworkGraph",
    "Node",
    "Reason",
    "Rung",
    "Step",
    "Suggestion",
    "best_connected",
    "engagement_ladder",
    "isolated",
    "ladder_report",
    "ladders",
    "layout",
    "network_graph",
    "reasons_for",
    "suggest_for",
    "suggest_members",
    "terms",
    "who_to_invite",
    "words_match",
]
