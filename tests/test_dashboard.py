"""The home page fits the role and shows real data."""


def test_focal_point_sees_own_country(client, login_as, create_user):
    create_user("focal_point", country="KZ", name="Colleague Two")
    login_as("focal_point", country="KZ", name="Colleague One")
    page = client.get("/").get_data(as_text=True)
    assert "Your country: Kazakhstan" in page
    assert "Colleague One, Colleague Two" in page
    assert "Focal points by country" not in page
    assert "/admin/users" not in page


def test_secretariat_sees_focal_point_coverage(client, db, login_as, create_user):
    from portal.models import Country

    create_user("focal_point", country="KG")
    login_as("secretariat")
    page = client.get("/").get_data(as_text=True)
    assert "Focal points by country" in page
    countries = db.session.scalar(db.select(db.func.count()).select_from(Country))
    assert countries > 1 and page.count("none yet") == countries - 1  # every country but KG
    assert "Recent activity" not in page


def test_admin_sees_accounts_and_activity(client, login_as):
    login_as("admin")
    page = client.get("/").get_data(as_text=True)
    assert "Active accounts" in page and "Recent activity" in page
    assert "auth.login" in page
    assert "/admin/users" in page


def test_delegate_sees_members_and_partners(client, login_as):
    login_as("delegate")
    page = client.get("/").get_data(as_text=True)
    for name in ("Kazakhstan", "Turkmenistan", "Indonesia", "Maldives", "Morocco", "Iraq"):
        assert name in page
    assert "Middle East &amp; North Africa" in page
    assert "Focal points by country" not in page
