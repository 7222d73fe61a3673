"""Queries on single values of a return: the secretariat's question about one cell
(indicator × breakdown) and the thread that answers it.

A query belongs to the return and the cell, not to a version, so it follows the return
through its new versions. One query per cell: a resolved query is reopened, not repeated."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .returns import Return
from .types import UTCDateTime, one_of, utcnow
from .user import User


class QueryState(StrEnum):
    """open → answered (a reply or a changed value from the country) → resolved; reopened."""

    OPEN = "open"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    REOPENED = "reopened"


QUERY_STATES = tuple(QueryState)
# The states that still wait for the country (shown as "open queries" to the focal point).
AWAITING_COUNTRY = (QueryState.OPEN, QueryState.REOPENED)
# The states that are not resolved.
UNRESOLVED = (QueryState.OPEN, QueryState.REOPENED, QueryState.ANSWERED)


class MessageKind(StrEnum):
    QUESTION = "question"  # the secretariat's first message
    REPLY = "reply"
    CHANGE = "change"  # the value was changed in a new version (written by the portal)
    RESOLVE = "resolve"
    REOPEN = "reopen"


MESSAGE_KINDS = tuple(MessageKind)


class ValueQuery(Model):
    __tablename__ = "value_query"
    __table_args__ = (
        UniqueConstraint("return_id", "indicator", "breakdown", name="uq_value_query_cell"),
        CheckConstraint(one_of("state", QUERY_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("country_return.id"), index=True)
    indicator: Mapped[str] = mapped_column(String(16))
    breakdown: Mapped[str] = mapped_column(String(16))  # Men … Total, Value
    state: Mapped[str] = mapped_column(String(16), default=QueryState.OPEN.value)
    suggested: Mapped[str | None] = mapped_column(String(64))  # a suggested value, as typed
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    return_: Mapped[Return] = relationship()
    created_by: Mapped[User | None] = relationship()
    messages: Mapped[list[QueryMessage]] = relationship(
        back_populates="value_query", order_by="QueryMessage.id", cascade="all"
    )


class QueryMessage(Model):
    __tablename__ = "query_message"
    __table_args__ = (CheckConstraint(one_of("kind", MESSAGE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("value_query.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    version_number: Mapped[int | None]  # the return's latest version when the message was written
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    value_query: Mapped[ValueQuery] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()
