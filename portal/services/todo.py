"""The dashboard's to-do: what each role has to do next.

A focal point: each open period of their country with its due date, days left or late, the
return's state (a revision included), its open queries and the ONE next action. The
secretariat (and the administrator): the returns awaiting review, the queries still open or
answered (an answer waits for the secretariat's look), and the countries overdue in an open
period. Delegates have no to-do. Plain functions over the session; `today` is a parameter so
the tests fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Country, ReportingPeriod, Return, ReturnStatus, ReturnVersion, Role, User
from ..models.queries import AWAITING_COUNTRY, QueryState, ValueQuery
from . import reference
from .returns import listing, states

Action = Literal["download", "continue", "answer", "submit", "none"]
NOT_STARTED = "not_started"


@dataclass
class PeriodTodo:
    """One open period as the focal point's to-do shows it."""

    period: ReportingPeriod
    ret: Return | None
    state: str  # not_started | a ReturnStatus (the latest version's state)
    revision: str | None  # "revision version 4 in draft", when the return is a revision
    accepted_version: int | None
    open_queries: int  # waiting for the country (open or reopened)
    action: Action
    days: int | None  # to the due date: > 0 days left, 0 due today, < 0 days late; None: no due date

    @property
    def due_date(self) -> date | None:
        return self.period.due_date

    @property
    def pending(self) -> bool:
        """Whether the country still has something to do (the countdown matters)."""
        return self.action != "none"


@dataclass
class ReviewItem:
    ret: Return
    kind: states.ReviewKind


@dataclass
class QueryCount:
    ret: Return
    open: int  # waiting for the country
    answered: int  # waiting for the secretariat


@dataclass
class SecretariatTodo:
    awaiting: list[ReviewItem]
    queries: list[QueryCount]  # returns with unresolved queries, those with answers first
    open_queries: int
    answered_queries: int
    overdue: list[tuple[ReportingPeriod, list[Country]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.awaiting or self.queries or any(countries for _p, countries in self.overdue))


def open_periods(today: date) -> list[ReportingPeriod]:
    """The periods open for reporting on `today` (opened, not closed), in the pages' order."""
    return [
        p
        for p in reference.periods()
        if p.is_open and p.opens_on <= today and (p.closes_on is None or p.closes_on > today)
    ]


def _awaiting_country(return_ids: list[int]) -> dict[int, int]:
    """Per return, how many of its queries wait for the country."""
    if not return_ids:
        return {}
    rows = db.session.execute(
        select(ValueQuery.return_id, func.count(ValueQuery.id))
        .where(ValueQuery.return_id.in_(return_ids), ValueQuery.state.in_([s.value for s in AWAITING_COUNTRY]))
        .group_by(ValueQuery.return_id)
    ).all()
    return {return_id: n for return_id, n in rows}


def next_action(ret: Return | None, open_queries: int) -> Action:
    """download the template (no return) / answer queries (returned, or queries waiting) /
    continue (a draft not yet complete: to the return page) / submit (a complete draft, no
    query waiting) / none (submitted or accepted: the secretariat's turn, or nothing to do)."""
    if ret is None or ret.latest_version is None:
        return "download" if ret is None else "continue"
    if open_queries or ret.status == ReturnStatus.RETURNED:
        return "answer"
    if ret.status == ReturnStatus.DRAFT:
        return "submit" if ret.latest_version.completeness >= 100.0 else "continue"
    return "none"


def focal_point_todo(user: User, today: date) -> list[PeriodTodo]:
    """The focal point's country's open periods with what to do for each."""
    if user.country_id is None:
        return []
    periods = open_periods(today)
    returns = {
        r.period_id: r
        for r in db.session.scalars(
            select(Return)
            .where(Return.country_id == user.country_id, Return.period_id.in_([p.id for p in periods]))
            .options(selectinload(Return.versions))
        )
    }
    queries = _awaiting_country([r.id for r in returns.values()])
    rows = []
    for period in periods:
        ret = returns.get(period.id)
        waiting = queries.get(ret.id, 0) if ret else 0
        accepted = ret.accepted_version if ret else None
        rows.append(
            PeriodTodo(
                period=period,
                ret=ret,
                state=ret.status if ret else NOT_STARTED,
                revision=states.revision_label(ret) if ret else None,
                accepted_version=accepted.number if accepted else None,
                open_queries=waiting,
                action=next_action(ret, waiting),
                days=(period.due_date - today).days if period.due_date else None,
            )
        )
    return rows


def query_counts() -> list[QueryCount]:
    """Returns with unresolved queries: how many wait for the country, how many were answered
    (those need the secretariat's look and come first)."""
    rows = db.session.execute(
        select(ValueQuery.return_id, ValueQuery.state, func.count(ValueQuery.id))
        .where(ValueQuery.state.in_([*[s.value for s in AWAITING_COUNTRY], QueryState.ANSWERED.value]))
        .group_by(ValueQuery.return_id, ValueQuery.state)
    ).all()
    counts: dict[int, list[int]] = {}
    for return_id, state, n in rows:
        pair = counts.setdefault(return_id, [0, 0])
        pair[1 if state == QueryState.ANSWERED else 0] += n
    if not counts:
        return []
    returns = {
        r.id: r
        for r in db.session.scalars(
            select(Return)
            .where(Return.id.in_(list(counts)))
            .options(selectinload(Return.country), selectinload(Return.period))
        )
    }
    items = [QueryCount(returns[i], *counts[i]) for i in counts]
    return sorted(items, key=lambda q: (-q.answered, q.ret.period.label, q.ret.country.iso2))


def overdue_countries(today: date) -> list[tuple[ReportingPeriod, list[Country]]]:
    """Per open period past its due date, the countries with no submitted version."""
    result = []
    for period in open_periods(today):
        if period.due_date is None or period.due_date >= today:
            continue
        submitted = set(
            db.session.scalars(
                select(Return.country_id)
                .join(ReturnVersion, ReturnVersion.return_id == Return.id)
                .where(Return.period_id == period.id, ReturnVersion.submitted_at.is_not(None))
            )
        )
        result.append((period, [c for c in reference.countries_by_region() if c.id not in submitted]))
    return result


def secretariat_todo(today: date) -> SecretariatTodo:
    queries = query_counts()
    return SecretariatTodo(
        awaiting=[ReviewItem(r, states.review_kind(r)) for r in listing.awaiting_review()],
        queries=queries,
        open_queries=sum(q.open for q in queries),
        answered_queries=sum(q.answered for q in queries),
        overdue=overdue_countries(today),
    )


def todo_for(user: User, today: date) -> dict:
    """What the dashboard's to-do shows `user`: {"periods": [...]} for a focal point,
    {"review": SecretariatTodo} for the secretariat and the administrator, {} for delegates."""
    if user.role == Role.FOCAL_POINT:
        return {"periods": focal_point_todo(user, today)}
    if user.role in (Role.SECRETARIAT, Role.ADMIN):
        return {"review": secretariat_todo(today)}
    return {}
