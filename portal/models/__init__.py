"""All models, imported here so Alembic sees every table."""

from .audit import AuditEvent
from .files import PendingUpload, StoredFile
from .jobs import JobRun, OutboxMessage
from .library import (
    ActionPlan,
    CaseStudy,
    LibraryFile,
    LibraryRevision,
    MeasureUpdate,
    PlanMeasure,
    SearchDoc,
    SearchTag,
    SearchTerm,
)
from .meetings import MEETING_FORMATS, AgendaItem, Brief, BriefEdition, Meeting, MeetingDocument
from .notification import Notification
from .queries import AWAITING_COUNTRY, QUERY_STATES, UNRESOLVED, MessageKind, QueryMessage, QueryState, ValueQuery
from .reference import MEMBERSHIPS, Country, Region
from .returns import RETURN_STATUSES, ReportingPeriod, Return, ReturnEvent, ReturnStatus, ReturnValue, ReturnVersion
from .template import ReturnTemplate, TemplateIndicator, TemplateRule, TemplateSection
from .user import ROLE_VALUES, STAFF_ROLES, ApiToken, LoginThrottle, Role, User

__all__ = [
    "PendingUpload",
    "StoredFile",
    "JobRun",
    "OutboxMessage",
    "ActionPlan",
    "CaseStudy",
    "LibraryFile",
    "LibraryRevision",
    "MeasureUpdate",
    "PlanMeasure",
    "SearchDoc",
    "SearchTag",
    "SearchTerm",
    "AgendaItem",
    "Brief",
    "BriefEdition",
    "MEETING_FORMATS",
    "Meeting",
    "MeetingDocument",
    "ApiToken",
    "AuditEvent",
    "Notification",
    "AWAITING_COUNTRY",
    "QUERY_STATES",
    "UNRESOLVED",
    "MessageKind",
    "QueryMessage",
    "QueryState",
    "ValueQuery",
    "RETURN_STATUSES",
    "ReportingPeriod",
    "Return",
    "ReturnEvent",
    "ReturnStatus",
    "ReturnTemplate",
    "ReturnValue",
    "ReturnVersion",
    "TemplateIndicator",
    "TemplateRule",
    "TemplateSection",
    "Country",
    "LoginThrottle",
    "MEMBERSHIPS",
    "ROLE_VALUES",
    "STAFF_ROLES",
    "Region",
    "Role",
    "User",
]
