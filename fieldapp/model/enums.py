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


class ZoneStage(StrEnum):
    """A zone's cycle as its coordinator marks it: diagnosis done, an action chosen with the
    residents, the action done."""

    NONE = "none"
    DIAGNOSIS_DONE = "diagnosis_done"
    ACTION_CHOSEN = "action_chosen"
    ACTION_DONE = "action_done"


class ContactKind(StrEnum):
    RESIDENT = "resident"
    LEADER = "leader"  # local leader / activist
    #: A natural person acting as an implementer (animator, artist, educator…: ``PersonRole``).
    NATURAL_PERSON = "natural_person"
    INFORMAL_GROUP = "informal_group"
    NGO = "ngo"
    MUNICIPAL_CULTURE = "municipal_culture"  # the city's own: culture house, library, museum
    CULTURE = "culture"  # other public culture institution (the region's, the state's)
    EDUCATION = "education"
    DAY_SUPPORT = "day_support"
    CIS = "cis"  # Centrum Integracji Społecznej
    SOCIAL_COOPERATIVE = "social_cooperative"
    SOCIAL_ECONOMY = "social_economy"  # other social-economy enterprise
    BUSINESS = "business"  # entrepreneur
    LOCAL_GOVERNMENT = "local_government"


#: Kinds that are natural persons: their personal data needs consent (RODO).
NATURAL_PERSON_KINDS: frozenset[str] = frozenset(
    {ContactKind.RESIDENT, ContactKind.LEADER, ContactKind.NATURAL_PERSON}
)


class PersonRole(StrEnum):
    """What a natural person implementing an initiative does (the program's list)."""

    ANIMATOR = "animator"  # social or culture animator
    ARTIST = "artist"
    EDUCATOR = "educator"
    PEDAGOGUE = "pedagogue"
    STREETWORKER = "streetworker"
    MEDIATOR = "mediator"
    INSTRUCTOR = "instructor"
    TRAINER = "trainer"
    SPORTS_ANIMATOR = "sports_animator"
    OTHER = "other"


#: The program's reporting categories of final implementers ("Wykonawca Końcowy"), in the
#: report's order: the kinds an action's lead implementer is counted under.
IMPLEMENTER_KINDS: tuple[str, ...] = (
    ContactKind.NGO,
    ContactKind.INFORMAL_GROUP,
    ContactKind.NATURAL_PERSON,
    ContactKind.MUNICIPAL_CULTURE,
    ContactKind.CULTURE,
    ContactKind.EDUCATION,
    ContactKind.DAY_SUPPORT,
    ContactKind.CIS,
    ContactKind.SOCIAL_COOPERATIVE,
    ContactKind.SOCIAL_ECONOMY,
    ContactKind.BUSINESS,
    ContactKind.LOCAL_GOVERNMENT,
)


def implementer_kind(contact_kind: str) -> str:
    """The reporting category of a contact as an implementer: residents and leaders who run an
    initiative are natural persons; other kinds are their own category."""
    if contact_kind in NATURAL_PERSON_KINDS:
        return ContactKind.NATURAL_PERSON
    return contact_kind


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


class ApplicationStatus(StrEnum):
    """A micro-grant application of an action (``NONE``: the action applies for no grant).

    Realised and reported are not stored here: they are the action's own status (done, reported)
    of an accepted application (``fieldapp.services.applications.application_stage``), so the
    realisation has one source of truth."""

    NONE = "none"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_EVALUATION = "under_evaluation"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


#: Allowed moves of an application. Only coordinators (supervisors, admins) move one into
#: ``APPLICATION_DECISIONS`` or take it into evaluation; the service enforces it on push.
APPLICATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ApplicationStatus.NONE: (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED),
    ApplicationStatus.DRAFT: (ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN),
    ApplicationStatus.SUBMITTED: (ApplicationStatus.UNDER_EVALUATION, ApplicationStatus.WITHDRAWN),
    ApplicationStatus.UNDER_EVALUATION: (
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    ),
    ApplicationStatus.ACCEPTED: (ApplicationStatus.WITHDRAWN,),
    ApplicationStatus.REJECTED: (),
    ApplicationStatus.WITHDRAWN: (),
}
#: What a coordinator decides (and the move into evaluation, which only they make).
APPLICATION_DECISIONS: frozenset[str] = frozenset(
    {ApplicationStatus.UNDER_EVALUATION, ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED}
)
#: The evaluation's fields: written only by coordinators.
EVALUATION_FIELDS: tuple[str, ...] = ("evaluation_notes", "evaluation_score", "decision_reason", "decided_on")
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
