"""The HTML part of an e-mail escapes what it quotes: a title, a reason or a configured address
holding markup reaches the mail reader as text, never as tags or attributes."""

from sqlalchemy import select

from portal.models import OutboxMessage
from portal.services.accounts import password_reset
from portal.services.notices import notifications

HOSTILE = """<script>alert("x")</script> & 'q'"""
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39;"


def test_a_notice_email_escapes_a_hostile_title_and_link(app, db, create_user):
    app.config["PORTAL_URL"] = 'https://portal.example/"><b>'
    user = create_user("focal_point", country="KZ")
    notifications.notify(
        user,
        "library.returned",
        {"title": HOSTILE, "reason": "<i>no</i>"},
        link="/library/1?a=1&b=2",
        dedupe_key="hostile",
    )
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == "hostile"))
    url = "https://portal.example/&#34;&gt;&lt;b&gt;/library/1?a=1&amp;b=2"
    body = f"“{ESCAPED}” was sent back for changes: &lt;i&gt;no&lt;/i&gt;"
    assert message.body_html == f'<p>{body}</p><p><a href="{url}">Open the portal: {url}</a></p>'
    assert message.body_text == (
        f"“{HOSTILE}” was sent back for changes: <i>no</i>\n\n"
        'Open the portal: https://portal.example/"><b>/library/1?a=1&b=2\n'
    )


def test_a_reset_email_escapes_a_hostile_portal_address_in_the_users_language(app, db, create_user):
    app.config["PORTAL_URL"] = "https://portal.example/'><script>"
    user = create_user("delegate", country="KZ", language="ru")
    password_reset.request_reset(user.email)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key.like("password-reset:%")))
    assert "<script>" not in message.body_html
    assert message.body_html.count("https://portal.example/&#39;&gt;&lt;script&gt;/auth/reset/") == 2
    assert message.body_html.startswith("<p>Кто-то")
    assert message.body_html.endswith("</p>") and message.body_html.count("<p>") == 3
    assert "https://portal.example/'><script>/auth/reset/" in message.body_text
