"""A checked upload is saved once: a second save of the same token (a double click, two tabs)
is a 409 and stores nothing."""

import re

from sqlalchemy import func, select

from portal.models import ReturnVersion
from portal.models.files import PendingUpload
from portal.services.returns import pending, workflow

from .conftest import upload


def _count(model) -> int:
    from portal.extensions import db

    return db.session.scalar(select(func.count()).select_from(model))


def test_the_second_of_two_saves_of_one_checked_upload_is_refused(
    client, db, auth, create_user, return_setup, filled, monkeypatch
):
    user = create_user("focal_point", country="KZ")
    auth.login(user.email)
    page = upload(client, filled({("REP01", "Total"): 3, ("REP01O", "Total"): 3}), mode="check")
    token = re.search(r'/returns/pending/([0-9a-f]{32})"', page.get_data(as_text=True)).group(1)
    real = workflow.process_upload

    def saved_meanwhile(*args, **kwargs):  # the other request wins between this one's read and its save
        result = real(*args, **kwargs)
        with db.session.no_autoflush:
            pending.discard(token)
        return result

    monkeypatch.setattr(workflow, "process_upload", saved_meanwhile)
    response = client.post(f"/returns/pending/{token}", data={"mode": "save"})
    assert response.status_code == 409
    assert "saved already" in response.get_data(as_text=True)
    assert _count(ReturnVersion) == 0  # this request's version was rolled back
    monkeypatch.setattr(workflow, "process_upload", real)
    assert client.post(f"/returns/pending/{token}", data={"mode": "save"}).status_code == 302
    assert (_count(ReturnVersion), _count(PendingUpload)) == (1, 0)
