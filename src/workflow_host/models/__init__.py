"""SQLAlchemy 2 typed tables; no Flask, no SpiffWorkflow."""

from .attachment import AttachmentBlob, CaseAttachment
from .audit import AuditEvent
from .auth import ApiToken, LoginFailure, TrustedDevice
from .calendar import CalendarDay, CalendarYear
from .deadline import CaseDeadline, Notification
from .directory import Unit, User, UserRole
from .instance import InboxCandidate, InboxTask, Instance, InstanceStateRow
from .process import ProcessVersion, VersionFile, VersionProcess

__all__ = [
    "ApiToken",
    "AttachmentBlob",
    "AuditEvent",
    "CalendarDay",
    "CalendarYear",
    "CaseAttachment",
    "CaseDeadline",
    "InboxCandidate",
    "InboxTask",
    "Instance",
    "InstanceStateRow",
    "LoginFailure",
    "Notification",
    "ProcessVersion",
    "TrustedDevice",
    "Unit",
    "User",
    "UserRole",
    "VersionFile",
    "VersionProcess",
]
