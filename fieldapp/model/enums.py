"""Closed vocabularies of the domain.

Columns hold the plain string values, not database enums: programs may add their own values (e.g.
door-knock outcomes) and older app versions must accept records carrying values they do not know.
Services validate new input against these lists.
"""

from __future__ import annotations

from enum import StrEnum


class ZoneKind(StrEnum):
    SAS = "sas"  # Strefa Aktywności Sąsiedzkiej around a library branch
    QUARTER = "quarter"  # an animator's quarter of a revitalisation area
    OTHER = "other"


class ContactKind(StrEnum):
    RESIDENT = "resident"
    LEADER = "leader"  # local leader / activist
    INFORMAL_GROUP = "informal_group"
    NGO = "ngo"
    CULTURE = "culture"  # public culture institution: library, culture house, museum
    EDUCATION = "education"
    DAY_SUPPORT = "day_support"
    SOCIAL_ECONOMY = "social_economy"  # CIS, social cooperative
    BUSINESS = "business"
    LOCAL_GOVERNMENT = "local_government"


#: Kinds that are natural persons: their personal data needs consent (RODO).
NATURAL_PERSON_KINDS: frozenset[str] = frozenset({ContactKind.RESIDENT, ContactKind.LEADER})


class ConsentStatus(StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ConsentMethod(StrEnum):
    ORAL = "oral"
    WRITTEN = "written"
    FORM = "form"


class VisitOutcome(StrEnum):
    """Few and plain by default; a program may add its own codes."""

    NOT_HOME = "not_home"
    TALKED = "talked"
    REFUSED = "refused"
    COME_BACK = "come_back"
    DO_NOT_KNOCK = "do_not_knock"
    MOVED_OUT = "moved_out"
    WRONG_ADDRESS = "wrong_address"


#: The outcomes offered as big buttons at the door, in this order.
DOOR_OUTCOMES: tuple[str, ...] = (
    VisitOutcome.NOT_HOME,
    VisitOutcome.TALKED,
    VisitOutcome.COME_BACK,
    VisitOutcome.REFUSED,
    VisitOutcome.DO_NOT_KNOCK,
)


class DiagnosisMethod(StrEnum):
    STREET_SURVEY = "street_survey"
    INTERVIEWS = "interviews"
    RESEARCH_WALK = "research_walk"
    FOCUS_GROUP = "focus_group"
    DATA_ANALYSIS = "data_analysis"


class NeedPriority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ResourceKind(StrEnum):
    PERSON = "person"
    PLACE = "place"
    ORGANISATION = "organisation"
    SKILL = "skill"
    EQUIPMENT = "equipment"


class ResourceGroup(StrEnum):
    """The split of Polish community-organising practice ("mapa zasobów i potrzeb")."""

    INSTITUTIONAL = "institutional"
    MATERIAL = "material"
    HUMAN = "human"


#: The group a resource kind falls into unless the user says otherwise.
RESOURCE_GROUP_OF_KIND: dict[str, str] = {
    ResourceKind.PERSON: ResourceGroup.HUMAN,
    ResourceKind.SKILL: ResourceGroup.HUMAN,
    ResourceKind.ORGANISATION: ResourceGroup.INSTITUTIONAL,
    ResourceKind.PLACE: ResourceGroup.MATERIAL,
    ResourceKind.EQUIPMENT: ResourceGroup.MATERIAL,
}


class ActionKind(StrEnum):
    FESTIVAL = "festival"  # festyn
    FAIR = "fair"  # kiermasz
    WORKSHOP = "workshop"
    CLEANUP = "cleanup"
    MEETING = "meeting"
    OTHER = "other"


class ActionStatus(StrEnum):
    IDEA = "idea"
    PLANNED = "planned"
    FUNDED = "funded"
    DONE = "done"
    REPORTED = "reported"
    DROPPED = "dropped"


#: Allowed moves of the action lifecycle. Dropping is possible until the action is done.
ACTION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ActionStatus.IDEA: (ActionStatus.PLANNED, ActionStatus.DROPPED),
    ActionStatus.PLANNED: (ActionStatus.FUNDED, ActionStatus.DONE, ActionStatus.DROPPED, ActionStatus.IDEA),
    ActionStatus.FUNDED: (ActionStatus.DONE, ActionStatus.DROPPED, ActionStatus.PLANNED),
    ActionStatus.DONE: (ActionStatus.REPORTED,),
    ActionStatus.REPORTED: (),
    ActionStatus.DROPPED: (ActionStatus.IDEA,),
}

#: The programs grant micro-grants in this range (PLN); outside it the app warns, never forbids.
MICRO_GRANT_MIN_PLN = 1_500
MICRO_GRANT_MAX_PLN = 5_000


class ReviewState(StrEnum):
    NEW = "new"
    APPROVED = "approved"
    RETURNED = "returned"
    CORRECTED = "corrected"


class Role(StrEnum):
    ANIMATOR = "animator"
    LIBRARY_STAFF = "library_staff"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
