"""Queries on single values of a return: the secretariat asks about one cell (indicator ×
breakdown), the country answers in a thread or by changing the value, the secretariat
resolves or reopens.

open → answered (a reply from the country, or the cell changed in a new version) → resolved;
resolved → reopened (→ answered …). Staff replies leave the state as it is. One query per
cell: a resolved query is reopened, not repeated. Every step is audited and notified.
Callers commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    AWAITING_COUNTRY,
    UNRESOLVED,
    MessageKind,
    QueryMessage,
    QueryState,
    Return,
    ReturnTemplate,
    Role,
    User,
    ValueQuery,
)
from ...models.types import utcnow
from .. import audit
from ..errors import Conflict, Forbidden, NotFound, ServiceError
from ..notices import notifications
from ..transitions import compare_and_set
from .access import can_see_history, is_staff

MAX_TEXT = 2000  # characters in a question or a reply
MAX_SUGGESTED = 64  # characters in a suggested value (the column's size)
NOTICE_TEXT = 300  # characters of the message quoted in a notice


# Who may do what -----------------------------------------------------------------------------


def can_manage(user: User) -> bool:
    """Open, resolve and reopen queries: the secretariat (and administrators)."""
    return is_staff(user)


# Staff and the country's own focal points, who see its history; never delegates or other countries.
can_see_queries = can_see_history


def can_reply(user: User, query: ValueQuery) -> bool:
    return can_see_queries(user, query.return_)


def cell_anchor(indicator: str, breakdown: str) -> str:
    """The id of a cell on the return page (the link of a query's notices)."""
    return f"cell-{indicator}-{breakdown}"


def return_link(query: ValueQuery) -> str:
    return f"/returns/{query.return_id}#{cell_anchor(query.indicator, query.breakdown)}"


# Reading ------------------------------------------------------------------------------------


def _with_thread(stmt):
    return stmt.options(selectinload(ValueQuery.messages).selectinload(QueryMessage.author))


def list_queries(ret: Return, states: tuple[str, ...] | None = None) -> list[ValueQuery]:
    """The return's queries (oldest first) with their messages and authors loaded."""
    stmt = select(ValueQuery).where(ValueQuery.return_id == ret.id)
    if states is not None:
        stmt = stmt.where(ValueQuery.state.in_([str(s) for s in states]))
    return list(db.session.scalars(_with_thread(stmt.order_by(ValueQuery.id))))


def get_query(query_id: int) -> ValueQuery:
    query = db.session.scalar(_with_thread(select(ValueQuery).where(ValueQuery.id == query_id)))
    if query is None:
        raise NotFound(_l("There is no such query."))
    return query


def visible_query(user: User, query_id: int) -> ValueQuery:
    """A query `user` may see; NotFound otherwise (nobody learns that it exists)."""
    query = get_query(query_id)
    if not can_see_queries(user, query.return_):
        raise NotFound(_l("There is no such query."))
    return query


def find_query(ret: Return, indicator: str, breakdown: str) -> ValueQuery | None:
    return db.session.scalar(
        _with_thread(
            select(ValueQuery).where(
                ValueQuery.return_id == ret.id, ValueQuery.indicator == indicator, ValueQuery.breakdown == breakdown
            )
        )
    )


def open_cells(ret: Return) -> dict[tuple[str, str], ValueQuery]:
    """The unresolved queries of a return by cell (indicator, breakdown)."""
    return {(q.indicator, q.breakdown): q for q in list_queries(ret, UNRESOLVED)}


def _counts(stmt) -> dict[str, int]:
    rows = db.session.execute(stmt.group_by(ValueQuery.state)).all()
    by_state = {state: n for state, n in rows}
    return {
        "open": sum(by_state.get(s, 0) for s in AWAITING_COUNTRY),  # waiting for the country
        "answered": by_state.get(QueryState.ANSWERED, 0),  # waiting for the secretariat
    }


def counts_for(user: User) -> dict[str, int]:
    """{"open": n, "answered": n} over the returns whose queries `user` may see (one query):
    open = waiting for the country (open or reopened), answered = waiting for the secretariat."""
    stmt = select(ValueQuery.state, func.count(ValueQuery.id))
    if not is_staff(user):
        if user.role != Role.FOCAL_POINT or user.country_id is None:
            return {"open": 0, "answered": 0}
        stmt = stmt.join(Return, Return.id == ValueQuery.return_id).where(Return.country_id == user.country_id)
    return _counts(stmt)


def counts_by_return(return_ids: list[int]) -> dict[int, dict[str, int]]:
    """{return id: {"open": n, "answered": n}} for many returns at once (one query)."""
    result: dict[int, dict[str, int]] = {rid: {"open": 0, "answered": 0} for rid in return_ids}
    if not return_ids:
        return result
    rows = db.session.execute(
        select(ValueQuery.return_id, ValueQuery.state, func.count(ValueQuery.id))
        .where(ValueQuery.return_id.in_(return_ids))
        .group_by(ValueQuery.return_id, ValueQuery.state)
    ).all()
    for rid, state, n in rows:
        if state in AWAITING_COUNTRY:
            result[rid]["open"] += n
        elif state == QueryState.ANSWERED:
            result[rid]["answered"] += n
    return result


# Checking input -----------------------------------------------------------------------------


def template_of(ret: Return) -> ReturnTemplate:
    """The template the return's figures follow: its latest version's, or its period's."""
    latest = ret.latest_version
    return latest.template if latest is not None else ret.period.template


def _no_nul(text: str, field: str) -> str:
    if "\x00" in text:  # PostgreSQL cannot store it
        raise ServiceError(_l("The text contains a NUL character; remove it and send it again."), field=field)
    return text


def _text(text: str | None, *, required: bool = True) -> str:
    text = _no_nul((text or "").strip(), "text")
    if required and not text:
        raise ServiceError(_l("Write the text of the message."), field="text")
    if len(text) > MAX_TEXT:
        raise ServiceError(_l("The text is too long (at most %(n)s characters).", n=MAX_TEXT), field="text")
    return text


def check_cell(ret: Return, indicator: str, breakdown: str):
    """The template indicator of a cell of `ret` and its breakdown column; ServiceError (400)
    naming what is wrong when the return's template has no such cell."""
    indicator, breakdown = (indicator or "").strip(), (breakdown or "").strip()
    template = template_of(ret)
    ind = template.indicator(indicator)
    if ind is None:
        raise ServiceError(
            _l("The return's template has no indicator “%(code)s”.", code=indicator[:40]), field="indicator"
        )
    columns = template.columns(ind.breakdown)
    if breakdown not in columns:
        raise ServiceError(
            _l(
                "Indicator %(code)s has no breakdown “%(breakdown)s” (it has: %(columns)s).",
                code=ind.code,
                breakdown=breakdown[:40],
                columns=", ".join(columns),
            ),
            field="breakdown",
        )
    return ind, breakdown


# Writing ------------------------------------------------------------------------------------


def _message(query: ValueQuery, kind: str, user: User | None, text: str) -> QueryMessage:
    latest = query.return_.latest_version
    message = QueryMessage(
        value_query=query,
        kind=kind,
        author=user,
        text=text,
        version_number=latest.number if latest is not None else None,
    )
    db.session.add(message)
    db.session.flush()
    return message


def record_step(action: str, query: ValueQuery, user: User | None, message: QueryMessage | None = None, **details):
    audit.record(
        action,
        actor=user,
        obj=query,
        country=query.return_.country.iso2,
        period=query.return_.period.label,
        indicator=query.indicator,
        breakdown=query.breakdown,
        message=message.id if message is not None else None,
        **details,
    )


def focal_points(ret: Return) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.country_id == ret.country_id, User.role == Role.FOCAL_POINT, User.active.is_(True))
            .order_by(User.id)
        )
    )


def secretariat() -> list[User]:
    return list(
        db.session.scalars(select(User).where(User.role == Role.SECRETARIAT, User.active.is_(True)).order_by(User.id))
    )


def _notify(
    recipients: list[User], kind: str, query: ValueQuery, message: QueryMessage, text: str, change: dict | None = None
) -> None:
    """`change`: a CHANGE message's data, written out in each reader's language when read."""
    ret = query.return_
    params: dict[str, object] = {
        "country": ret.country.iso2,
        "period": ret.period.label,
        "indicator": query.indicator,
        "breakdown": query.breakdown,
        "text": quoted(text),
    }
    if change is not None:
        params["change"] = change
    for user in recipients:
        if user.id == (message.author_id or 0):
            continue  # nobody is told of their own message
        notifications.notify(user, kind, params, link=return_link(query), dedupe_key=f"{kind}:{message.id}:{user.id}")


def quoted(text: str) -> str:
    """`text` cut to what a notice quotes."""
    return text if len(text) <= NOTICE_TEXT else text[: NOTICE_TEXT - 1] + "…"


def notify_secretariat(query: ValueQuery, message: QueryMessage, text: str, change: dict | None = None) -> None:
    """Tell the secretariat that the country answered `query` (by `message`, or by `change`)."""
    _notify(secretariat(), "query.answered", query, message, text, change)


def open_query(
    ret: Return, user: User, indicator: str, breakdown: str, text: str, suggested: str | None = None
) -> ValueQuery:
    """The secretariat's question about one cell of `ret`, with an optional suggested value."""
    if not can_manage(user):
        raise Forbidden(_l("Only the secretariat can open a query."))
    ind, breakdown = check_cell(ret, indicator, breakdown)
    indicator = ind.code
    text = _text(text)
    suggested = _no_nul((suggested or "").strip(), "suggested") or None
    if suggested is not None and len(suggested) > MAX_SUGGESTED:
        raise ServiceError(
            _l("The suggested value is too long (at most %(n)s characters).", n=MAX_SUGGESTED), field="suggested"
        )
    taken = _l("This cell already has a query: reply to it, or reopen it if it is resolved.")
    if find_query(ret, indicator, breakdown) is not None:
        raise Conflict(taken)
    now = utcnow()
    query = ValueQuery(
        return_=ret,
        indicator=indicator,
        breakdown=breakdown,
        state=QueryState.OPEN,
        suggested=suggested,
        created_by=user,
        created_at=now,
        updated_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(query)
    except IntegrityError:  # opened at the same moment by someone else
        raise Conflict(taken) from None
    message = _message(query, MessageKind.QUESTION, user, text)
    record_step("query.open", query, user, message, suggested=suggested)
    _notify(focal_points(ret), "query.opened", query, message, text)
    return query


def answer(query: ValueQuery) -> QueryMessage | None:
    """The message that answered `query`: the latest change of its value, or the country's latest
    reply (a staff member's reply after it answers nothing)."""
    for message in reversed(query.messages):
        if message.kind == MessageKind.CHANGE:
            return message
        if message.kind == MessageKind.REPLY and not (message.author is not None and is_staff(message.author)):
            return message
    return None


def _resolved_refusal() -> Conflict:
    return Conflict(_l("This query is resolved; the secretariat can reopen it."))


def reply(query: ValueQuery, user: User, text: str) -> QueryMessage:
    """A reply in the thread. From the country's focal points it answers the query (the
    secretariat is told); from staff it leaves the state as it is (the country is told)."""
    if not can_reply(user, query):
        raise Forbidden(_l("You cannot reply to this query."))
    text = _text(text)
    staff = is_staff(user)
    changes: dict = {"updated_at": utcnow()}
    if not staff:
        changes["state"] = QueryState.ANSWERED
    if not compare_and_set(ValueQuery, query.id, [ValueQuery.state.in_(UNRESOLVED)], **changes):
        raise _resolved_refusal()
    message = _message(query, MessageKind.REPLY, user, text)
    record_step("query.reply", query, user, message, state=query.state)
    if staff:
        _notify(focal_points(query.return_), "query.replied", query, message, text)
    else:
        notify_secretariat(query, message, text)
    return message


def resolve(query: ValueQuery, user: User, text: str = "") -> ValueQuery:
    if not can_manage(user):
        raise Forbidden(_l("Only the secretariat can resolve a query."))
    text = _text(text, required=False)
    now = utcnow()
    if not compare_and_set(
        ValueQuery,
        query.id,
        [ValueQuery.state != QueryState.RESOLVED],
        state=QueryState.RESOLVED,
        resolved_at=now,
        updated_at=now,
    ):
        raise Conflict(_l("This query is already resolved."))
    message = _message(query, MessageKind.RESOLVE, user, text)
    record_step("query.resolve", query, user, message)
    _notify(focal_points(query.return_), "query.resolved", query, message, text)
    return query


def reopen(query: ValueQuery, user: User, text: str) -> ValueQuery:
    if not can_manage(user):
        raise Forbidden(_l("Only the secretariat can reopen a query."))
    text = _text(text)
    if not compare_and_set(
        ValueQuery,
        query.id,
        [ValueQuery.state == QueryState.RESOLVED],
        state=QueryState.REOPENED,
        resolved_at=None,
        updated_at=utcnow(),
    ):
        raise Conflict(_l("Only a resolved query can be reopened; this one is not resolved."))
    message = _message(query, MessageKind.REOPEN, user, text)
    record_step("query.reopen", query, user, message)
    _notify(focal_points(query.return_), "query.reopened", query, message, text)
    return query


def send_back_queries(ret: Return) -> list[ValueQuery]:
    """The queries a send-back lists as its per-cell reasons: those waiting for the country."""
    return list_queries(ret, AWAITING_COUNTRY)


def question(query: ValueQuery) -> str:
    """What the secretariat is asking now: the text of the last question or reopening."""
    asked = [m for m in query.messages if m.kind in (MessageKind.QUESTION, MessageKind.REOPEN)]
    return asked[-1].text if asked else ""


def snapshot(ret: Return) -> list[dict]:
    """send_back_queries as stored in the send-back's event: [{"indicator", "breakdown", "text"}]."""
    return [{"indicator": q.indicator, "breakdown": q.breakdown, "text": question(q)} for q in send_back_queries(ret)]
