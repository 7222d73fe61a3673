"""The comparison page's cache (services/compare/page_cache.py): the same question from the
same audience in the same language is answered from the cache; new data, another audience,
another language or an old entry never are."""

from __future__ import annotations

import re

import pytest

from portal.blueprints.compare import views
from portal.services.compare import page_cache

from .factories import add_period_after_latest
from .test_compare import returns  # noqa: F401  (fixture)

QUERY = "indicator=REP01&indicator=COM08&period=2025"


@pytest.fixture(autouse=True)
def counted(monkeypatch):
    """How many comparisons the page computed."""
    page_cache.clear()
    calls = []
    real = views.compare

    def counting(selection, audience):
        calls.append(audience.key)
        return real(selection, audience)

    monkeypatch.setattr(views, "compare", counting)
    yield calls
    page_cache.clear()


def _cell(page: str, table: str, cell: str) -> str:
    part = page[page.index(f'data-testid="table-{table}"') :]
    return re.search(rf'data-cell="{cell}"[^>]*>\s*([^<\s]*)', part).group(1)


def test_the_same_question_is_answered_from_the_cache(client, login_as, returns, counted):  # noqa: F811
    login_as("delegate")
    first = client.get(f"/compare/?{QUERY}").get_data(as_text=True)
    second = client.get(f"/compare/?{QUERY}").get_data(as_text=True)
    assert len(counted) == 1
    assert _cell(first, "REP01", "KZ-2025-Total") == _cell(second, "REP01", "KZ-2025-Total") == "20"
    client.get(f"/compare/?{QUERY}&breakdown=total")
    assert len(counted) == 2  # another question


def test_the_secretariats_page_is_never_a_delegates(client, auth, login_as, returns, counted):  # noqa: F811
    login_as("secretariat")
    assert _cell(client.get(f"/compare/?{QUERY}").get_data(as_text=True), "COM08", "KZ-2025-Total") == "2"
    auth.logout()
    login_as("delegate")
    assert _cell(client.get(f"/compare/?{QUERY}").get_data(as_text=True), "COM08", "KZ-2025-Total") == "c"
    auth.logout()
    login_as("focal_point", country="KZ")  # their own CONF figure: an audience of its own
    assert _cell(client.get(f"/compare/?{QUERY}").get_data(as_text=True), "COM08", "KZ-2025-Total") == "2"
    assert counted == ["secretariat", "council", "council"]


def test_each_language_has_its_own_page(client, auth, login_as, returns, counted):  # noqa: F811
    login_as("delegate")
    assert "Council total" in client.get(f"/compare/?{QUERY}").get_data(as_text=True)
    auth.logout()
    login_as("delegate", language="ru")
    assert "Итого по совету" in client.get(f"/compare/?{QUERY}").get_data(as_text=True)
    assert len(counted) == 2


def test_a_new_accepted_return_shows_at_once(client, login_as, returns, counted):  # noqa: F811
    login_as("delegate")
    assert _cell(client.get(f"/compare/?{QUERY}").get_data(as_text=True), "REP01", "UZ-2025-Total") == "—"
    returns("UZ", {("REP01", "Total"): 41, ("REP01O", "Total"): 41})  # a second, accepted version
    assert _cell(client.get(f"/compare/?{QUERY}").get_data(as_text=True), "REP01", "UZ-2025-Total") == "41"
    assert len(counted) == 2


def test_another_servers_commit_shows_too(client, login_as, returns, counted, monkeypatch):  # noqa: F811
    """Writes this process did not see (another worker's, another server's) change the data
    version read from the database: simulated by hiding this process's own write count."""
    login_as("delegate")
    client.get(f"/compare/?{QUERY}")
    seen = page_cache._writes
    returns("UZ", {("REP01", "Total"): 41, ("REP01O", "Total"): 41})
    monkeypatch.setattr(page_cache, "_writes", seen)
    assert _cell(client.get(f"/compare/?{QUERY}").get_data(as_text=True), "REP01", "UZ-2025-Total") == "41"
    assert len(counted) == 2


def test_an_entry_older_than_the_ttl_is_built_again(client, login_as, returns, counted, monkeypatch):  # noqa: F811
    login_as("delegate")
    clock = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    client.get(f"/compare/?{QUERY}")
    clock[0] += page_cache.TTL - 1
    client.get(f"/compare/?{QUERY}")
    assert len(counted) == 1
    clock[0] += 2
    client.get(f"/compare/?{QUERY}")
    assert len(counted) == 2


def test_the_cache_keeps_to_its_size(monkeypatch):
    monkeypatch.setattr(page_cache, "data_version", lambda: ("db",))
    monkeypatch.setattr(page_cache, "MAX_BYTES", 250)
    for i in range(5):
        assert page_cache.rendered(i, lambda i=i: str(i) * 100) == str(i) * 100
    assert sorted(k for k, _v in page_cache._kept) == [3, 4] and page_cache._size == 200
    big = "x" * (page_cache.MAX_ENTRY + 1)
    assert page_cache.rendered("big", lambda: big) == big and "big" not in {k for k, _v in page_cache._kept}


def test_the_api_answers_from_the_cache_per_audience(client, db, returns, create_user, monkeypatch):  # noqa: F811
    from portal.blueprints.api import compare as api

    from .conftest import use_token

    calls = []
    real = api.compare
    monkeypatch.setattr(
        api, "compare", lambda selection, audience: calls.append(audience.key) or real(selection, audience)
    )

    def kz_conf(role: str):
        use_token(client, create_user(role))
        rows = client.get(f"/api/v1/comparison?{QUERY}").json["rows"]
        return next(
            r["value"] for r in rows if (r["country"], r["indicator"], r["breakdown"]) == ("KZ", "COM08", "Total")
        )

    assert kz_conf("delegate") == "c"
    assert kz_conf("delegate") == "c"
    assert kz_conf("secretariat") == 2
    assert calls == ["council", "secretariat"]
    returns("UZ", {("REP01", "Total"): 41, ("REP01O", "Total"): 41})
    use_token(client, create_user("delegate"))
    rows = client.get(f"/api/v1/comparison?{QUERY}").json["rows"]
    assert [r["value"] for r in rows if (r["country"], r["indicator"], r["breakdown"]) == ("UZ", "REP01", "Total")] == [
        41
    ]


def test_the_latest_period_follows_a_period_added_elsewhere(client, db, login_as, returns, counted, monkeypatch):  # noqa: F811
    """A URL without a period means the latest one: a period added by another server (no
    return changed, this process saw no write) is the page's period at once."""
    login_as("delegate")
    assert 'data-cell="KZ-2025-Total"' in client.get("/compare/?indicator=REP01").get_data(as_text=True)
    seen = page_cache._writes
    add_period_after_latest(db)
    monkeypatch.setattr(page_cache, "_writes", seen)
    page = client.get("/compare/?indicator=REP01").get_data(as_text=True)
    assert 'data-cell="KZ-2099-Total"' in page and 'data-cell="KZ-2025-Total"' not in page
