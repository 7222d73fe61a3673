"""Benchmark: comparisons, exports and brief compiles on 60 countries × 40 periods.

    .venv/bin/python bench/compare.py [--runs 7] [--postgresql [URL]]

Seeds a temporary SQLite database with synthetic accepted returns (every input cell of
the 47 indicators, inserted in bulk; the upload path is measured by bench/returns.py) and
prints medians for: one indicator for all countries and periods with its breakdown,
through the service and through GET /api/v1/comparison; the full-section Excel export;
a brief compile (snapshot + HTML page + XLSX) and, separately, its PDF.
Targets (2-core machine): comparison ≤ 100 ms, export ≤ 3 s, brief compile ≤ 3 s.
With --postgresql the same runs go to a scratch database, prr_bench, created on that server
(default postgresql+psycopg://postgres@127.0.0.1:5432/postgres) and dropped at the end.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import string
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COUNTRIES, PERIODS = 60, 40


def rss_mib() -> int:
    import re

    return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) // 1024


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def seed(db, models, template):
    from sqlalchemy import insert

    from portal.services import disclosure

    Country, Region, ReportingPeriod = models.Country, models.Region, models.ReportingPeriod
    regions = list(db.session.scalars(db.select(Region)))
    existing = set(db.session.scalars(db.select(Country.iso2)))
    codes = [a + b for a, b in itertools.product(string.ascii_uppercase, repeat=2) if a + b not in existing][:COUNTRIES]
    for i, code in enumerate(codes):
        db.session.add(
            Country(
                iso2=code,
                iso3=code + "X",
                name_en=f"Country {code}",
                name_ru=f"Страна {code}",
                region=regions[i % len(regions)],
                membership="member",
            )
        )
    for year in range(2025 - PERIODS + 1, 2026):
        if not db.session.scalar(db.select(ReportingPeriod).where(ReportingPeriod.label == str(year))):
            db.session.add(
                ReportingPeriod(
                    label=str(year),
                    start_date=date(year, 1, 1),
                    end_date=date(year, 12, 31),
                    opens_on=date(year + 1, 1, 1),
                    due_date=date(year + 1, 3, 31),
                    is_open=False,
                    template=template,
                )
            )
    db.session.flush()
    countries = list(db.session.scalars(db.select(Country).where(Country.iso2.in_(codes))))
    periods = list(db.session.scalars(db.select(ReportingPeriod)))
    now = datetime.now(UTC)
    rng = random.Random(7)
    cells = [(ind.code, col) for ind in template.indicators for col in template.columns(ind.breakdown)]
    values = []
    for k, country in enumerate(countries):
        # One country in ten reports a confidential figure in every return (REP01 Boys, and
        # one other cell), so the disclosure layer has work to do for delegates.
        secret = {("REP01", "Boys"), cells[(k * 7) % len(cells)]} if k % 10 == 0 else set()
        for period in periods:
            ret = models.Return(country=country, period=period, status="accepted")
            version = models.ReturnVersion(
                return_=ret,
                number=1,
                template=template,
                original_filename="bench.xlsx",
                file_sha256="0" * 64,
                stored_path="-",
                submitted_at=now,
                accepted_at=now,
                completeness=100.0,
            )
            db.session.add(version)
            db.session.flush()
            mine = {}
            for code, col in cells:
                status = rng.choice([None] * 17 + ["EST", "NIL", "N/AV"])
                number = None if status in ("NIL", "N/AV") else float(rng.randint(0, 500))
                if (code, col) in secret:
                    status, number = "CONF", float(rng.randint(1, 500))
                values.append(
                    {
                        "version_id": version.id,
                        "indicator": code,
                        "breakdown": col,
                        "number": number,
                        "status": status,
                        "note": None,
                    }
                )
                mine[(code, col)] = (number, status)
            version.withheld = disclosure.withheld(mine, template)  # as storing an upload does
    db.session.execute(insert(models.ReturnValue), values)
    db.session.commit()
    return codes, [p.label for p in periods], len(values)


SCRATCH = "prr_bench"


def _app(tmp: str, url: str | None = None):
    from portal import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key-0123456789abcdef-xyz",
            "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{tmp}/bench.db",
            "UPLOAD_FOLDER": f"{tmp}/up",
            "WTF_CSRF_ENABLED": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8,
        }
    )


def scratch_database(server_url: str, name: str = SCRATCH):
    """Create the scratch PostgreSQL database `name` (dropping a leftover one); returns its URL
    and a function that drops it (bench/load.py uses it too)."""
    from sqlalchemy import create_engine, make_url, text

    server = make_url(server_url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def seed_only(tmp: str, url: str | None = None) -> None:
    """Build the database in its own process: the measured process then starts clean, as a
    web worker does (not carrying the seeding's 360,000 freed objects)."""
    import flask_migrate

    from portal import models
    from portal.extensions import db
    from portal.services import seed as seed_service
    from portal.services.returns.template_versions import get_template

    app = _app(tmp, url)
    with app.app_context():
        flask_migrate.upgrade()
        seed_service.load_reference_data()
        t0 = time.perf_counter()
        codes, labels, n = seed(db, models, get_template(1))
        print(
            f"seeded {len(codes)} countries × {len(labels)} periods = {len(codes) * len(labels)} accepted returns, "
            f"{n} values in {time.perf_counter() - t0:.1f} s"
        )
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does within a minute of a bulk load in production: statistics for
            # the planner and a visibility map for index-only scans.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")


def main(runs: int, url: str | None = None) -> None:
    import subprocess

    from portal import models
    from portal.extensions import db
    from portal.services.accounts.users import create_user
    from portal.services.compare.aggregate import compare
    from portal.services.compare.selection import make_selection
    from portal.services.disclosure import SECRETARIAT, council
    from portal.services.meetings import briefs
    from portal.services.meetings.brief_output import edition_pdf, to_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, __file__, "--seed-only", tmp] + (["--url", url] if url else []), check=True)
        app = _app(tmp, url)
        print(f"database: {'PostgreSQL (scratch database ' + SCRATCH + ')' if url else 'SQLite (temporary file)'}")
        with app.app_context(), app.test_request_context():
            real = {"KZ", "KG", "TJ", "TM", "UZ", "ID", "IQ", "MV", "MA"}
            codes = [c for c in db.session.scalars(db.select(models.Country.iso2)) if c not in real]
            labels = [
                p.label
                for p in db.session.scalars(
                    db.select(models.ReportingPeriod).order_by(models.ReportingPeriod.start_date)
                )
            ]
            create_user(email="bench@prr.example", name="Bench", role="secretariat", password="bench-password-1")
            db.session.commit()
            selection = lambda: make_selection(indicators=["REP01"], periods=labels, countries=codes)  # noqa: E731
            # Interleaved, so both see the same machine: the secretariat (sees everything: the
            # disclosure layer does nothing) is the anchor for a delegate (CONF of 6 countries hidden).
            audiences = {"secretariat": SECRETARIAT, "delegate": council()}
            times = {name: [] for name in audiences}
            for _ in range(runs):
                for name, audience in audiences.items():
                    t0 = time.perf_counter()
                    comparison = compare(selection(), audience)
                    times[name].append(time.perf_counter() - t0)
            staff_ms, delegate_ms = (statistics.median(times[n]) * 1000 for n in audiences)
            hidden = int(comparison.rows["hidden"].sum())
            print(
                f"comparison via service (REP01, {len(codes)} countries, {len(labels)} periods, 5 breakdown columns, "
                f"{len(comparison.rows)} cells): median {staff_ms:.0f} ms as the secretariat, {delegate_ms:.0f} ms as "
                f"a "
                f"delegate ({hidden} cells hidden): disclosure costs {(delegate_ms / staff_ms - 1) * 100:+.0f} %"
            )
        client = app.test_client()
        token = client.post(
            "/api/v1/auth/token", json={"email": "bench@prr.example", "password": "bench-password-1"}
        ).json["token"]
        headers = {"Authorization": f"Bearer {token}"}
        query = "indicator=REP01&" + "&".join(f"period={p}" for p in labels) + "&countries=" + ",".join(codes)
        from portal.services.compare import page_cache

        def computed():
            page_cache.clear()  # the answer computed, not the one kept for the next same question
            return client.get(f"/api/v1/comparison?{query}", headers=headers)

        med, response = timed(computed, runs)
        assert response.status_code == 200
        kept, _again = timed(lambda: client.get(f"/api/v1/comparison?{query}", headers=headers), runs)
        print(
            f"comparison via GET /api/v1/comparison: median {med * 1000:.0f} ms ({len(response.data) / 1024:.0f} KiB "
            f"JSON); asked again (services/compare/page_cache.py): {kept * 1000:.1f} ms"
        )
        client.post("/auth/login", data={"email": "bench@prr.example", "password": "bench-password-1"})
        section = "section=A&" + "&".join(f"period={p}" for p in labels)
        before = rss_mib()
        med, response = timed(lambda: client.get(f"/compare/export.xlsx?{section}"), max(3, runs // 2))
        assert response.status_code == 200
        print(
            f"full-section Excel export (section A: 9 indicators × {len(codes)} countries × {len(labels)} periods): "
            f"median {med:.2f} s ({len(response.data) / 1024:.0f} KiB); this process's memory "
            f"{before} MiB before the exports, {rss_mib()} MiB after (target: within 20 MiB)"
        )
        with app.app_context(), app.test_request_context():
            meeting = db.session.scalar(db.select(models.Meeting))
            brief = briefs.save_brief(
                None,
                meeting,
                title="Bench brief",
                period=labels[-1],
                indicators=["REP01", "REP07", "PRS04"],
                countries=[],
                charts=["bar", "line"],
                sections=[{"heading": "S", "body": "Text"}],
                actor=None,
            )
            db.session.commit()

            def compile_html_xlsx():
                edition = briefs.compile_brief(brief, None)
                db.session.commit()
                html = client.get(f"/meetings/briefs/{brief.id}?edition={edition.number}")
                assert html.status_code == 200
                to_xlsx(edition.snapshot, "en")
                return edition

            med, edition = timed(compile_html_xlsx, max(3, runs // 2))
            print(
                f"brief compile (3 indicators × {len(codes) + 9} countries, snapshot + HTML + XLSX): median {med:.2f} s"
            )
            med, pdf = timed(lambda: edition_pdf(brief, edition, "en"), 3)
            print(f"brief PDF (WeasyPrint): median {med:.2f} s ({len(pdf) / 1024:.0f} KiB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--postgresql",
        nargs="?",
        const="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        metavar="SERVER_URL",
        help="run on a scratch database on this PostgreSQL server",
    )
    parser.add_argument("--seed-only", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        seed_only(args.seed_only, args.url)
    elif args.postgresql:
        url, drop = scratch_database(args.postgresql)
        try:
            main(args.runs, url)
        finally:
            drop()
    else:
        main(args.runs)
