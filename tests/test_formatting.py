"""Numbers, percentages and dates in the reader's language (services/formatting.py), and the
pages that show them through the Jinja filters."""

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from portal.services import formatting

NBSP = "\xa0"


@pytest.mark.parametrize(
    "call, en, ru",
    [
        (lambda loc: formatting.number(18.0, loc), "18", "18"),
        (lambda loc: formatting.number(12345, loc), "12,345", f"12{NBSP}345"),
        (lambda loc: formatting.number(73.25, loc), "73.25", "73,25"),
        (lambda loc: formatting.number(None, loc), "", ""),
        (lambda loc: formatting.number(float("nan"), loc), "", ""),
        (lambda loc: formatting.number("c", loc), "c", "c"),
        (lambda loc: formatting.percent(73.3, loc), "73.3%", f"73,3{NBSP}%"),
        (lambda loc: formatting.percent(100, loc), "100.0%", f"100,0{NBSP}%"),
        (lambda loc: formatting.percent(5, loc, digits=0), "5%", f"5{NBSP}%"),
        (lambda loc: formatting.date(date(2026, 12, 3), loc), "3 Dec 2026", "3 дек. 2026"),
        (
            lambda loc: formatting.datetime(datetime(2026, 3, 31, 14, 5, tzinfo=timezone(timedelta(hours=5))), loc),
            "31 Mar 2026, 09:05 UTC",
            "31 мар. 2026, 09:05 UTC",
        ),
    ],
    ids=["whole", "thousands", "decimal", "none", "nan", "text", "share", "hundred", "no-digits", "date", "datetime"],
)
@pytest.mark.parametrize("locale", ["en", "ru"])
def test_formats(call, en, ru, locale):
    assert call(locale) == (en if locale == "en" else ru)


@pytest.mark.parametrize("language, month", [("en", "Dec"), ("ru", "дек.")])
def test_pages_write_dates_one_way(client, db, login_as, language, month):
    """The notices page wrote ISO stamps ("2026-12-03 14:05 UTC"); now day, month, year."""
    from portal.models import Notification

    user = login_as("delegate", language=language)
    db.session.add(
        Notification(
            user_id=user.id,
            kind="library.published",
            params={"title": "x"},
            created_at=datetime(2026, 12, 3, 14, 5, tzinfo=UTC),
        )
    )
    db.session.commit()
    page = client.get("/notifications").get_data(as_text=True)
    assert f"3 {month} 2026, 14:05 UTC" in page
    assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page)
