"""All models, imported here so Alembic sees every table."""
from .audit import AuditEvent
from .reference import MEMBERSHIPS, Country, Region
from .user import ROLE_VALUES, LoginThrottle, Role, User

__all__ = [
    "AuditEvent",
    "Country",
    "LoginThrottle",
    "MEMBERSHIPS",
    "ROLE_VALUES",
    "Region",
    "Role",
    "User",
]
