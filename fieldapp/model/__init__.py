"""The domain model: SQLModel tables and vocabularies, shared by the app and the sync service.

No Flet imports here: the service imports this package too.
"""

from fieldapp.model.action import NeighbourhoodAction
from fieldapp.model.attachment import Attachment
from fieldapp.model.base import SYNC_COLUMNS, SyncedRecord, new_id, utcnow
from fieldapp.model.building import Building
from fieldapp.model.contact import Consent, Contact
from fieldapp.model.cooperation import (
    Attendance,
    FollowUpTask,
    GroupAction,
    GroupMember,
    LocalActivityGroup,
    Meeting,
    Partner,
    Partnership,
    PartnershipPhaseChange,
    TrainingSeries,
    Volunteer,
    VolunteerHours,
)
from fieldapp.model.diagnosis import Diagnosis, Need, Resource
from fieldapp.model.editions import Edition, EditionItem
from fieldapp.model.participants import ParticipantProfile
from fieldapp.model.places import (
    Booking,
    CommunityPlace,
    PlacePartner,
    PlaceStageChange,
    PrincipleCheck,
    Room,
)
from fieldapp.model.registry import RECORD_TYPES, from_wire, model_for, to_wire
from fieldapp.model.review import Review
from fieldapp.model.rodo import Breach, InfoClause, RightsKind, RightsRequest
from fieldapp.model.social_economy import OwesActivity
from fieldapp.model.visit import Visit
from fieldapp.model.zone import Zone

__all__ = [
    "RECORD_TYPES",
    "SYNC_COLUMNS",
    "Attachment",
    "Attendance",
    "Booking",
    "Breach",
    "Building",
    "CommunityPlace",
    "Consent",
    "Contact",
    "Diagnosis",
    "Edition",
    "EditionItem",
    "FollowUpTask",
    "GroupAction",
    "GroupMember",
    "InfoClause",
    "LocalActivityGroup",
    "Meeting",
    "Need",
    "NeighbourhoodAction",
    "OwesActivity",
    "ParticipantProfile",
    "Partner",
    "Partnership",
    "PartnershipPhaseChange",
    "PlacePartner",
    "PlaceStageChange",
    "PrincipleCheck",
    "Resource",
    "Review",
    "RightsKind",
    "RightsRequest",
    "Room",
    "SyncedRecord",
    "TrainingSeries",
    "Visit",
    "Volunteer",
    "VolunteerHours",
    "Zone",
    "from_wire",
    "model_for",
    "new_id",
    "to_wire",
    "utcnow",
]
