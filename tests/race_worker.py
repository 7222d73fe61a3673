"""One secretariat decision in a process of its own, for the multi-process race test:

    python tests/race_worker.py DATABASE_URL UPLOADS RETURN_ID USER_ID accept|return READY GO

Reads the return, writes READY, waits until GO exists, acts, commits; prints "ok" or
"<status> <message>"."""

import sys
import time
from pathlib import Path


def main(url, uploads, return_id, user_id, action, ready, go) -> None:
    from portal import create_app
    from portal.extensions import db
    from portal.models import Return, User
    from portal.services.errors import ServiceError
    from portal.services.returns import workflow
    from tests.conftest import base_config

    config = base_config(url, Path(uploads).parent)
    app = create_app(config)
    with app.app_context(), app.test_request_context():
        ret = db.session.get(Return, int(return_id))
        user = db.session.get(User, int(user_id))
        assert ret.status == "submitted" and ret.latest_version is not None
        Path(ready).touch()
        while not Path(go).exists():
            time.sleep(0.005)
        try:
            if action == "accept":
                workflow.accept_return(ret, user)
            else:
                workflow.send_back(ret, user, "REP01 looks low; check stage 5.")
            db.session.commit()
            print("ok")
        except ServiceError as error:
            db.session.rollback()
            print(f"{error.status} {error.message}")


if __name__ == "__main__":
    main(*sys.argv[1:])
