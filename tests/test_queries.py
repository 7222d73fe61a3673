"""Queries on single values, through the service: every state transition, each refusal (and
that it stores nothing), notices in the recipient's language, the audit trail, a new version
answering the queries whose cell it changed, and send-back recording the open queries."""

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.models import AuditEvent, Notification, OutboxMessage, QueryMessage, ReturnEvent, ValueQuery
from portal.services.errors import ServiceError
from portal.services.notices import notifications
from portal.services.returns import queries, workflow
from portal.services.returns.query_changes import message_text

VALUES = {("REP01", "Total"): 10, ("REP01O", "Total"): 10}
CHANGED = {("REP01", "Total"): 12, ("REP01O", "Total"): 12}


@pytest.fixture
def people(create_user):
    return {
        "sec": create_user("secretariat"),
        "admin": create_user("admin"),
        "focal": create_user("focal_point", country="KZ"),
        "focal_ru": create_user("focal_point", country="KZ", language="ru"),
        "other": create_user("focal_point", country="KG"),
        "delegate": create_user("delegate"),
    }


@pytest.fixture
def ret(create_return, people):
    return create_return("KZ", "2025", VALUES, status="submitted").return_


def _open(ret, people, indicator="REP01", breakdown="Girls", text="Why are there no girls?", **kw):
    return queries.open_query(ret, people["sec"], indicator, breakdown, text, **kw)


def _counts(db) -> dict:
    models = (ValueQuery, QueryMessage, AuditEvent, Notification, OutboxMessage, ReturnEvent)
    db.session.flush()
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


STEPS = {
    "focal replies": lambda q, p: queries.reply(q, p["focal"], "They were counted as boys."),
    "staff replies": lambda q, p: queries.reply(q, p["sec"], "Please check again."),
    "admin replies": lambda q, p: queries.reply(q, p["admin"], "And the total?"),
    "resolve": lambda q, p: queries.resolve(q, p["sec"], "Thank you."),
    "resolve silently": lambda q, p: queries.resolve(q, p["sec"]),
    "reopen": lambda q, p: queries.reopen(q, p["sec"], "The new version has the same problem."),
}


@pytest.mark.parametrize(
    "steps, state, kinds",
    [
        ([], "open", ["question"]),
        (["focal replies"], "answered", ["question", "reply"]),
        (["staff replies"], "open", ["question", "reply"]),
        (["admin replies"], "open", ["question", "reply"]),
        (["resolve"], "resolved", ["question", "resolve"]),
        (["resolve silently"], "resolved", ["question", "resolve"]),
        (["focal replies", "staff replies"], "answered", ["question", "reply", "reply"]),
        (["focal replies", "resolve"], "resolved", ["question", "reply", "resolve"]),
        (["resolve", "reopen"], "reopened", ["question", "resolve", "reopen"]),
        (["resolve", "reopen", "staff replies"], "reopened", ["question", "resolve", "reopen", "reply"]),
        (["resolve", "reopen", "focal replies"], "answered", ["question", "resolve", "reopen", "reply"]),
        (
            ["focal replies", "resolve", "reopen", "resolve"],
            "resolved",
            ["question", "reply", "resolve", "reopen", "resolve"],
        ),
    ],
    ids=lambda v: " then ".join(v) if isinstance(v, list) else None,
)
def test_state_transitions(db, ret, people, steps, state, kinds):
    query = _open(ret, people, suggested="3")
    for step in steps:
        STEPS[step](query, people)
    db.session.expire_all()
    query = queries.get_query(query.id)
    assert query.state == state
    assert [m.kind for m in query.messages] == kinds
    assert (query.resolved_at is not None) == (state == "resolved")
    assert query.suggested == "3"
    assert [
        a for (a,) in db.session.execute(select(AuditEvent.action).where(AuditEvent.object_type == "value_query"))
    ] == ["query.open"] + [
        {"focal replies": "query.reply", "staff replies": "query.reply", "admin replies": "query.reply"}.get(
            s, "query." + s.split()[0]
        )
        for s in steps
    ]


@pytest.mark.parametrize(
    "before, step, message",
    [
        (["resolve"], "resolve", "already resolved"),
        ([], "reopen", "not resolved"),
        (["focal replies"], "reopen", "not resolved"),
        (["resolve", "reopen"], "reopen", "not resolved"),
        (["resolve"], "focal replies", "is resolved"),
        (["resolve"], "staff replies", "is resolved"),
    ],
)
def test_a_step_in_the_wrong_state_is_409_and_stores_nothing(db, ret, people, before, step, message):
    query = _open(ret, people)
    for s in before:
        STEPS[s](query, people)
    state, counts = query.state, _counts(db)
    with pytest.raises(ServiceError) as refused:
        STEPS[step](query, people)
    assert refused.value.status == 409 and message in refused.value.message
    db.session.expire_all()
    assert _counts(db) == counts and queries.get_query(query.id).state == state


@pytest.mark.parametrize("first_state", ["open", "answered", "resolved"])
def test_a_second_query_on_the_same_cell_is_409(db, ret, people, first_state):
    query = _open(ret, people)
    if first_state == "answered":
        STEPS["focal replies"](query, people)
    elif first_state == "resolved":
        STEPS["resolve"](query, people)
    counts = _counts(db)
    with pytest.raises(ServiceError) as refused:
        _open(ret, people, text="Again?")
    assert refused.value.status == 409
    assert "reply to it, or reopen it" in refused.value.message
    assert _counts(db) == counts
    # Another cell of the same return takes a query of its own.
    assert _open(ret, people, breakdown="Boys").id != query.id


@pytest.mark.parametrize(
    "indicator, breakdown, text, suggested, field, says",
    [
        ("REP99", "Total", "Why?", None, "indicator", "no indicator “REP99”"),
        ("", "Total", "Why?", None, "indicator", "no indicator"),
        ("REP07", "Men", "Why?", None, "breakdown", "REP07 has no breakdown “Men” (it has: Value)"),
        ("REP01", "Value", "Why?", None, "breakdown", "REP01 has no breakdown “Value”"),
        ("REP01", "Syria", "Why?", None, "breakdown", "(it has: Men, Women, Boys, Girls, Total)"),
        ("REP01", "Girls", "", None, "text", "Write the text"),
        ("REP01", "Girls", "   \n ", None, "text", "Write the text"),
        ("REP01", "Girls", "x" * 2001, None, "text", "at most 2000 characters"),
        ("REP01", "Girls", "Why?", "9" * 65, "suggested", "at most 64 characters"),
        ("REP01", "Girls", "Why\x00?", None, "text", "NUL character"),
        ("REP01", "Girls", "Why?", "4\x00", "suggested", "NUL character"),
    ],
)
def test_bad_input_for_a_new_query_is_400_naming_the_field(
    db, ret, people, indicator, breakdown, text, suggested, field, says
):
    counts = _counts(db)
    with pytest.raises(ServiceError) as refused:
        _open(ret, people, indicator, breakdown, text, suggested=suggested)
    assert (refused.value.status, refused.value.field) == (400, field)
    assert says in refused.value.message
    assert _counts(db) == counts


def test_the_longest_text_and_suggested_value_are_accepted(db, ret, people):
    query = _open(ret, people, text="x" * 2000, suggested="9" * 64)
    assert query.messages[0].text == "x" * 2000 and query.suggested == "9" * 64


@pytest.mark.parametrize(
    "who, act",
    [
        ("focal", lambda q, u: queries.open_query(q.return_, u, "REP01", "Boys", "Mine?")),
        ("delegate", lambda q, u: queries.open_query(q.return_, u, "REP01", "Boys", "Mine?")),
        ("other", lambda q, u: queries.reply(q, u, "Not my country.")),
        ("delegate", lambda q, u: queries.reply(q, u, "I am a delegate.")),
        ("focal", lambda q, u: queries.resolve(q, u)),
        ("focal", lambda q, u: queries.reopen(q, u, "Reopen")),
        ("delegate", lambda q, u: queries.resolve(q, u)),
        ("other", lambda q, u: queries.reopen(q, u, "Reopen")),
    ],
)
def test_who_may_not_act_is_refused_403_and_nothing_changes(db, ret, people, who, act):
    query = _open(ret, people)
    counts = _counts(db)
    with pytest.raises(ServiceError) as refused:
        act(query, people[who])
    assert refused.value.status == 403
    db.session.expire_all()
    assert _counts(db) == counts and queries.get_query(query.id).state == "open"


@pytest.mark.parametrize(
    "who, sees",
    [("sec", True), ("admin", True), ("focal", True), ("focal_ru", True), ("other", False), ("delegate", False)],
)
def test_who_sees_the_queries(ret, people, who, sees):
    query = _open(ret, people)
    assert queries.can_see_queries(people[who], ret) is sees
    assert queries.can_reply(people[who], query) is sees
    assert queries.can_manage(people[who]) is (who in ("sec", "admin"))
    if not sees:
        with pytest.raises(ServiceError) as refused:
            queries.visible_query(people[who], query.id)
        assert refused.value.status == 404


def _notices(db, kind):
    return db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)).all()


def _outbox(db, user):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)).all()


def test_notices_go_to_the_right_people_in_their_language(db, ret, people):
    query = _open(ret, people)
    opened = _notices(db, "query.opened")
    assert {n.user_id for n in opened} == {people["focal"].id, people["focal_ru"].id}
    assert all(n.link == f"/returns/{ret.id}#cell-REP01-Girls" for n in opened)
    ru = next(n for n in opened if n.user_id == people["focal_ru"].id)
    with force_locale("ru"):
        assert notifications.text(ru) == (
            "Секретариат задал вопрос по ячейке REP01 · Девочки вашего отчёта за 2025: Why are there no girls?"
        )
    with force_locale("en"):
        assert (
            notifications.text(ru)
            == "The secretariat asks about REP01 · Girls in your 2025 return: Why are there no girls?"
        )
    (mail,) = _outbox(db, people["focal_ru"])
    assert "Секретариат задал вопрос по ячейке REP01 · Девочки" in mail.body_text
    assert "Секретариат задал вопрос по ячейке REP01 · Девочки" in mail.body_html
    (mail,) = _outbox(db, people["focal"])
    assert "The secretariat asks about REP01 · Girls in your 2025 return" in mail.body_text

    queries.reply(query, people["focal_ru"], "Ответ")
    answered = _notices(db, "query.answered")
    assert [n.user_id for n in answered] == [people["sec"].id]  # the secretariat, not admins
    assert answered[0].params["text"] == "Ответ" and answered[0].params["country"] == "KZ"

    queries.reply(query, people["sec"], "Thanks, one more thing.")
    replied = _notices(db, "query.replied")
    assert {n.user_id for n in replied} == {people["focal"].id, people["focal_ru"].id}
    queries.resolve(query, people["sec"])
    queries.reopen(query, people["sec"], "Still wrong.")
    assert len(_notices(db, "query.resolved")) == 2 and len(_notices(db, "query.reopened")) == 2
    # Every notice is distinct (one per message and recipient) and has its e-mail.
    keys = [n.dedupe_key for n in db.session.scalars(select(Notification).where(Notification.kind.like("query.%")))]
    assert len(keys) == len(set(keys)) == 2 + 1 + 2 + 2 + 2


def test_nobody_is_notified_of_their_own_reply(db, ret, people, create_user):
    query = _open(ret, people)
    queries.reply(query, people["sec"], "A note to myself and the country.")
    assert people["sec"].id not in {n.user_id for n in _notices(db, "query.replied")}


def test_script_in_a_query_is_stored_as_text_and_escaped_in_the_email(db, ret, people):
    script = "<script>alert('x')</script> & <b>bold</b>"
    query = _open(ret, people, text=script, suggested="<i>7</i>")
    db.session.expire_all()
    query = queries.get_query(query.id)
    assert query.messages[0].text == script and query.suggested == "<i>7</i>"
    (mail,) = _outbox(db, people["focal"])
    assert "<script>" not in mail.body_html and "<b>" not in mail.body_html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in mail.body_html
    assert script in mail.body_text  # the plain-text part says it as typed
    from flask import render_template_string

    shown = render_template_string("<p>{{ m|message_text }}</p>", m=query.messages[0])
    assert shown == "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</p>"


def test_audit_rows_name_the_cell_and_the_message(db, ret, people):
    query = _open(ret, people)
    message = queries.reply(query, people["focal"], "Counted as boys.")
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "value_query").order_by(AuditEvent.id)
    ).all()
    assert [(r.action, r.actor_id, r.object_id) for r in rows] == [
        ("query.open", people["sec"].id, str(query.id)),
        ("query.reply", people["focal"].id, str(query.id)),
    ]
    assert rows[1].details == {
        "country": "KZ",
        "period": "2025",
        "indicator": "REP01",
        "breakdown": "Girls",
        "message": message.id,
        "state": "answered",
    }


def test_open_cells_and_counts(db, ret, people, create_return):
    girls, boys, total = (_open(ret, people, breakdown=b) for b in ("Girls", "Boys", "Total"))
    queries.reply(boys, people["focal"], "Fixed.")
    queries.resolve(total, people["sec"])
    assert set(queries.open_cells(ret)) == {("REP01", "Girls"), ("REP01", "Boys")}
    assert queries.counts_for(people["sec"]) == {"open": 1, "answered": 1}
    assert queries.counts_for(people["focal"]) == {"open": 1, "answered": 1}
    assert queries.counts_for(people["other"]) == {"open": 0, "answered": 0}
    assert queries.counts_for(people["delegate"]) == {"open": 0, "answered": 0}
    assert queries.counts_by_return([ret.id, ret.id + 1000]) == {
        ret.id: {"open": 1, "answered": 1},
        ret.id + 1000: {"open": 0, "answered": 0},
    }
    assert [q.id for q in queries.list_queries(ret, ("open",))] == [girls.id]


# A new version answers the queries whose cell it changed -------------------------------------


def _new_version(create_return, values, notes=None, by=None):
    return create_return("KZ", "2025", values, status="submitted", notes=notes, by=by)


@pytest.mark.parametrize(
    "cell, values, notes, en, ru",
    [
        (("REP01", "Total"), CHANGED, None, "Changed from 10 to 12 in version 2.", "Изменено с 10 на 12 в версии 2."),
        (
            ("REP01", "Girls"),
            {**VALUES, ("REP01", "Girls"): 4, ("REP01", "Men"): 6},
            None,
            "Changed from blank to 4 in version 2.",
            "Изменено с пусто на 4 в версии 2.",
        ),
        (
            ("REP01", "Girls"),
            VALUES,
            {"REP01": "girls are in the total"},
            "The note changed in version 2: girls are in the total",
            "Примечание изменено в версии 2: girls are in the total",
        ),
    ],
    ids=["value", "blank to a value", "note"],
)
def test_a_new_version_that_changes_the_cell_answers_the_query(
    db, ret, people, create_return, cell, values, notes, en, ru
):
    query = _open(ret, people, *cell)
    workflow.send_back(ret, people["sec"], "")
    _new_version(create_return, values, notes, by=people["focal"])
    db.session.expire_all()
    query = queries.get_query(query.id)
    assert query.state == "answered"
    change = query.messages[-1]
    assert (change.kind, change.version_number, change.author_id) == ("change", 2, people["focal"].id)
    with force_locale("en"):
        assert message_text(change) == en
    with force_locale("ru"):
        assert message_text(change) == ru
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "query.change")) == "query.change"
    (notice,) = _notices(db, "query.answered")
    assert notice.user_id == people["sec"].id


@pytest.mark.parametrize(
    "language, message, notice",
    [
        ("en", "Changed from 1,234,567.5 to 2,345,678 in version 2.", "1,234,567.5 → 2,345,678"),
        ("ru", "Изменено с 1\xa0234\xa0567,5 на 2\xa0345\xa0678 в версии 2.", "1\xa0234\xa0567,5 → 2\xa0345\xa0678"),
    ],
)
def test_a_changed_amount_reads_in_the_readers_number_format(db, people, create_return, language, message, notice):
    """The change is stored as figures and written out when read: each reader in their own format."""
    ret = create_return("KZ", "2025", {**VALUES, ("CAP05", "Value"): 1234567.5}, status="submitted").return_
    query = _open(ret, people, "CAP05", "Value", "Is this in KZT?")
    workflow.send_back(ret, people["sec"], "")
    _new_version(create_return, {**VALUES, ("CAP05", "Value"): 2345678}, by=people["focal"])
    db.session.expire_all()
    change = queries.get_query(query.id).messages[-1]
    (told,) = _notices(db, "query.answered")
    with force_locale(language):
        assert message_text(change) == message
        assert notifications.text(told).endswith(": " + notice)


@pytest.mark.parametrize("last", ["country's reply", "staff reply after it", "value change"])
def test_the_answer_is_the_countrys_message_not_the_secretariats_follow_up(db, ret, people, create_return, last):
    query = _open(ret, people, "REP01", "Total", "Total seems low.")
    if last == "value change":  # the new version answers; the secretariat's reply after it does not
        workflow.send_back(ret, people["sec"], "")
        _new_version(create_return, CHANGED, by=people["focal"])
        db.session.expire_all()
        queries.reply(queries.get_query(query.id), people["sec"], "Thanks, checking.")
    else:
        queries.reply(query, people["focal"], "It is right: stage 5 only.")
    if last == "staff reply after it":
        queries.reply(query, people["sec"], "Thanks, checking.")
    answer = queries.answer(queries.get_query(query.id))
    with force_locale("en"):
        expected = "Changed from 10 to 12 in version 2." if last == "value change" else "It is right: stage 5 only."
        assert message_text(answer) == expected


@pytest.mark.parametrize("state", ["open", "answered", "resolved"])
def test_a_new_version_leaves_unchanged_cells_and_answered_or_resolved_queries(db, ret, people, create_return, state):
    untouched = _open(ret, people, "REP01", "Girls")
    other = _open(ret, people, "REP01", "Total")
    if state == "answered":
        queries.reply(other, people["focal"], "Will fix.")
    elif state == "resolved":
        queries.resolve(other, people["sec"])
    workflow.send_back(ret, people["sec"], "")
    _new_version(create_return, CHANGED)
    db.session.expire_all()
    assert queries.get_query(untouched.id).state == "open"
    assert [m.kind for m in queries.get_query(untouched.id).messages] == ["question"]
    other = queries.get_query(other.id)
    assert other.state == ("answered" if state == "open" else state)
    assert ("change" in [m.kind for m in other.messages]) is (state == "open")


# Send-back with queries ---------------------------------------------------------------------


def test_send_back_records_the_open_queries(db, ret, people):
    _open(ret, people, "REP01", "Girls", "Where are the girls?")
    total = _open(ret, people, "REP01", "Total", "Total seems low.")
    queries.resolve(total, people["sec"])
    queries.reopen(total, people["sec"], "Still low: check stage 5.")
    answered = _open(ret, people, "REP01O", "Total", "Origin?")
    queries.reply(answered, people["focal"], "All from Syria.")
    resolved = _open(ret, people, "REP02", "Men", "Zero?")
    queries.resolve(resolved, people["sec"])
    workflow.send_back(ret, people["sec"], "")
    event = db.session.scalars(select(ReturnEvent).where(ReturnEvent.action == "return")).one()
    assert event.reason == ""
    assert event.cell_comments == [
        {"indicator": "REP01", "breakdown": "Girls", "text": "Where are the girls?"},
        {"indicator": "REP01", "breakdown": "Total", "text": "Still low: check stage 5."},
    ]
    (notice,) = [n for n in _notices(db, "return.returned") if n.user_id == people["focal"].id]
    with force_locale("en"):
        assert notifications.text(notice).endswith(
            ": REP01 · Girls: Where are the girls?; REP01 · Total: Still low: check stage 5."
        )
    with force_locale("ru"):
        assert notifications.text(notice).endswith(
            ": REP01 · Девочки: Where are the girls?; REP01 · Всего: Still low: check stage 5."
        )


def test_send_back_with_a_reason_and_queries(db, ret, people):
    _open(ret, people, "REP01", "Girls", "Where are the girls?")
    workflow.send_back(ret, people["sec"], "  See the query.  ")
    event = db.session.scalars(select(ReturnEvent).where(ReturnEvent.action == "return")).one()
    assert event.reason == "See the query." and len(event.cell_comments) == 1
    assert {n.params["reason"] for n in _notices(db, "return.returned")} == {"See the query."}


def test_send_back_with_a_nul_in_the_reason_is_400(db, ret, people):
    _open(ret, people)
    counts = _counts(db)
    with pytest.raises(ServiceError) as refused:
        workflow.send_back(ret, people["sec"], "Check\x00 this")
    assert (refused.value.status, refused.value.field) == (400, "reason")
    assert _counts(db) == counts and ret.status == "submitted"


@pytest.mark.parametrize("resolved", [False, True], ids=["no query", "only a resolved query"])
def test_send_back_with_neither_reason_nor_open_query_is_400(db, ret, people, resolved):
    if resolved:
        queries.resolve(_open(ret, people), people["sec"])
    counts = _counts(db)
    with pytest.raises(ServiceError) as refused:
        workflow.send_back(ret, people["sec"], "  ")
    assert (refused.value.status, refused.value.field) == (400, "reason")
    assert _counts(db) == counts and ret.status == "submitted"


def test_an_upload_answers_the_query_on_the_cell_it_changed(client, db, login_as, create_user, filled):
    """Through the real upload: a Russian focal point reads the query in Russian, uploads a
    corrected workbook; the changed cell's query is answered, the other stays open."""
    from portal.models import Return

    from .conftest import upload

    staff = create_user("secretariat")
    focal = login_as("focal_point", country="KZ", language="ru")
    assert upload(client, filled(VALUES), "submit").status_code == 302
    ret = db.session.scalar(select(Return))
    total = queries.open_query(ret, staff, "REP01", "Total", "Too low?")
    girls = queries.open_query(ret, staff, "REP01", "Girls", "Girls?")
    workflow.send_back(ret, staff, "")
    db.session.commit()
    page = client.get("/notifications").get_data(as_text=True)
    assert "Секретариат задал вопрос по ячейке REP01 · Всего вашего отчёта за 2025: Too low?" in page
    assert upload(client, filled(CHANGED), "submit").status_code == 302
    db.session.expire_all()
    total, girls = queries.get_query(total.id), queries.get_query(girls.id)
    assert (total.state, girls.state) == ("answered", "open")
    change = total.messages[-1]
    assert (change.kind, change.author_id, change.version_number) == ("change", focal.id, 2)
    with force_locale("ru"):
        assert message_text(change) == "Изменено с 10 на 12 в версии 2."
    assert [m.kind for m in girls.messages] == ["question"]
    # Templates show a message through the `message_text` filter, in the page's language.
    from flask import render_template_string

    with force_locale("ru"):
        assert render_template_string("{{ m|message_text }}", m=change) == "Изменено с 10 на 12 в версии 2."
        assert render_template_string("{{ m|message_text }}", m=girls.messages[0]) == "Girls?"
