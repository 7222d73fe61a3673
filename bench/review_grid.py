"""Benchmark: render the review grid of a full return with the previous period.

    .venv/bin/python bench/review_grid.py [--runs 30]

A full KZ 2025 return (every input cell of the 47 indicators, as bench/returns.py fills it)
submitted, a full 2024 return accepted, and a query on a dozen cells, on a temporary SQLite
database; prints the median server time of GET /review/<id> (the whole request through the
test client, signed in as the secretariat: service, template and response) and of the
service alone. Target (2-core machine): ≤ 150 ms median for the page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from returns import full_values, make_app  # noqa: E402 - after the path is set


def bench_grid(runs: int) -> None:
    import flask_migrate

    from portal.extensions import db
    from portal.models import Country, ReportingPeriod, Return
    from portal.services import seed
    from portal.services.accounts import users
    from portal.services.returns import grid, queries, workflow
    from portal.services.returns.fill import fill_template
    from portal.services.returns.template_xlsx import build_template

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        app.config["WTF_CSRF_ENABLED"] = False
        with app.app_context():
            with app.test_request_context():
                flask_migrate.upgrade()
                seed.load_reference_data()
                db.session.commit()
                staff = users.create_user(
                    email="bench@prr.example", name="Bench", role="secretariat", password="bench-password-123"
                )
                kz = db.session.scalar(db.select(Country).where(Country.iso2 == "KZ"))
                for label, submit_only in (("2024", False), ("2025", True)):
                    period = db.session.scalar(db.select(ReportingPeriod).where(ReportingPeriod.label == label))
                    data = fill_template(
                        build_template(period.template, kz, period, "en"), full_values(period.template)
                    )
                    _report, _ident, version = workflow.process_upload(data, "bench.xlsx", None, save=True, submit=True)
                    if not submit_only:
                        workflow.accept_return(version.return_, staff)
                ret = version.return_
                for ind in period.template.indicators[:12]:
                    queries.open_query(ret, staff, ind.code, period.template.columns(ind.breakdown)[-1], "Check.")
                db.session.commit()
                rid = ret.id
            client = app.test_client()
            assert (
                client.post(
                    "/auth/login", data={"email": "bench@prr.example", "password": "bench-password-123"}
                ).status_code
                == 302
            )
            page_times, service_times = [], []
            for _ in range(runs):
                t0 = time.perf_counter()
                response = client.get(f"/review/{rid}")
                page_times.append(time.perf_counter() - t0)
                assert response.status_code == 200
            with app.test_request_context():
                for _ in range(runs):
                    db.session.expire_all()
                    t0 = time.perf_counter()
                    result = grid.review_grid(db.session.get(Return, rid))
                    service_times.append(time.perf_counter() - t0)
            print(
                f"review grid: {result.total_cells} cells, previous period {result.previous_period.label}; "
                f"page median {statistics.median(page_times) * 1000:.1f} ms "
                f"(p90 {sorted(page_times)[int(0.9 * runs) - 1] * 1000:.1f} ms), "
                f"service median {statistics.median(service_times) * 1000:.1f} ms over {runs} runs"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    bench_grid(parser.parse_args().runs)
