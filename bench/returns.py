"""Benchmark: validate + store one full return; the same through the web form; reject hostile workbooks.

    .venv/bin/python bench/returns.py [--runs 30]

Prints the median server-side time to validate and store a full return (every input
cell of the 47 indicators filled, on a temporary SQLite database), and for each hostile
file the time to reject it and the extra peak memory (RSS) of a fresh process doing so;
the `real_*` files are the portal's own signed template with a hostile part added.
Then the same full return saved through the web-form service against the upload path,
alternately in one run (median of each and their ratio), and the review grid of a full return
with the previous period (bench/review_grid.py: the page and the service alone).
Targets (2-core machine): ≤ 150 ms per full return; the web form no slower than the upload;
the review grid page ≤ 150 ms median;
hostile files ≤ 1 s and ≤ 100 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_app(tmp: Path):
    from portal import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key-0123456789abcdef-xyz",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
            "UPLOAD_FOLDER": str(tmp / "uploads"),
        }
    )


def full_values(template) -> dict:
    """Every input cell, consistent with the rules (parts add up, chains hold)."""
    values = {}
    for ind in template.indicators:
        cols = template.columns(ind.breakdown)
        if ind.unit == "boolean":
            values[(ind.code, cols[0])] = "no"
            continue
        if cols == ["Value"]:
            values[(ind.code, "Value")] = 3 if ind.unit != "years" else 4
            continue
        parts = [c for c in cols if c != "Total"]
        for c in parts:
            values[(ind.code, c)] = 1 if ind.unit != "years" else 4
        values[(ind.code, "Total")] = len(parts) if ind.unit != "years" else 4
    values[("PRS08", "Value")], values[("PRS09", "Value")] = 2, 9
    values[("REP01O", "Syria")], values[("REP01O", "Total")] = 2, 4  # = REP01 Total (R3)
    return values


def bench_full(runs: int) -> None:
    import flask_migrate

    from portal.extensions import db
    from portal.models import Country, ReportingPeriod
    from portal.services import seed
    from portal.services.returns import workflow
    from portal.services.returns.fill import fill_template
    from portal.services.returns.template_xlsx import build_template

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        with app.app_context(), app.test_request_context():
            flask_migrate.upgrade()
            seed.load_reference_data()
            db.session.commit()
            country = db.session.scalar(db.select(Country).where(Country.iso2 == "KZ"))
            period = db.session.scalar(db.select(ReportingPeriod).where(ReportingPeriod.label == "2025"))
            data = fill_template(build_template(period.template, country, period, "en"), full_values(period.template))
            times = []
            for i in range(runs):
                t0 = time.perf_counter()
                report, _ident, version = workflow.process_upload(data, "bench.xlsx", None, save=True)
                db.session.commit()
                times.append(time.perf_counter() - t0)
                assert report.ok and version.number == i + 1, [e.as_dict("en") for e in report.errors]
            print(
                f"full return: {len(report.cells)} cells, {len(data) / 1024:.0f} KiB; "
                f"validate+store median {statistics.median(times) * 1000:.1f} ms, "
                f"p90 {sorted(times)[int(0.9 * len(times)) - 1] * 1000:.1f} ms over {runs} runs"
            )


def bench_form(runs: int) -> None:
    """A full return saved through the web-form service (entry.save_values: parse, rules, write
    the version's workbook, store) against the upload path (process_upload: guard, read, rules,
    store), alternately in the same run. Target: the form no slower than the upload (ratio ≤ 1)."""
    import flask_migrate

    from portal.extensions import db
    from portal.models import Country, ReportingPeriod, Return
    from portal.services import seed
    from portal.services.returns import workflow
    from portal.services.returns.entry import save_values
    from portal.services.returns.fill import fill_template
    from portal.services.returns.template_xlsx import build_template

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        with app.app_context(), app.test_request_context():
            flask_migrate.upgrade()
            seed.load_reference_data()
            db.session.commit()
            country = db.session.scalar(db.select(Country).where(Country.iso2 == "KZ"))
            period = db.session.scalar(db.select(ReportingPeriod).where(ReportingPeriod.label == "2025"))
            template = period.template
            values = full_values(template)
            data = fill_template(build_template(template, country, period, "en"), values)
            entries = [{"indicator": code, "breakdown": column, "value": v} for (code, column), v in values.items()]
            workflow.process_upload(data, "first.xlsx", None, save=True)
            db.session.commit()
            ret = db.session.scalar(db.select(Return))
            save_values(
                ret, None, entries, base_version=None, dry_run=False
            )  # the first save builds the blank template
            db.session.commit()
            upload_times, form_times = [], []

            def by_upload():
                report, _ident, version = workflow.process_upload(data, "bench.xlsx", None, save=True)
                db.session.commit()
                assert report.ok and version is not None

            def by_form():
                result = save_values(db.session.get(Return, ret_id), None, entries, base_version=None, dry_run=False)
                db.session.commit()
                assert result.ok and result.version is not None, [e.as_dict("en") for e in result.errors]

            ret_id = ret.id
            for i in range(runs):
                for path in (by_upload, by_form) if i % 2 == 0 else (by_form, by_upload):
                    db.session.expire_all()
                    t0 = time.perf_counter()
                    path()
                    (upload_times if path is by_upload else form_times).append(time.perf_counter() - t0)
            upload_ms, form_ms = statistics.median(upload_times) * 1000, statistics.median(form_times) * 1000
            print(
                f"full return ({len(entries)} cells) over {runs} runs each: upload median {upload_ms:.1f} ms, "
                f"web form (save_values) median {form_ms:.1f} ms; form/upload ratio {form_ms / upload_ms:.2f} "
                f"(target ≤ 1.00)"
            )


HOSTILE = [
    "many_rows",
    "many_sheets",
    "zip_bomb",
    "entity_expansion",
    "macro_workbook",
    "big_shared_strings",
    "many_shared_strings",
    "many_short_strings",
    "many_cells",
    "big_sheets",
    "unsafe_member",
]
# Hostile parts inside the real template (signed _meta, so without the guard calamine would
# read them and the upload would be accepted): the cases of issue 11.
REAL = {
    "real_90mb_sst": lambda h, t: h.with_shared_strings(t, padding_mb=90),
    "real_2m_sst": lambda h, t: h.with_shared_strings(t, padding_count=2_000_000),
    "real_350k_sst": lambda h, t: h.with_shared_strings(t, padding_count=350_000),
    "real_360k_cells": lambda h, t: h.with_extra_cells(t, 40_000),
    "real_dotdot_member": lambda h, t: h.with_member(t, "../../../tmp/evil.xml"),
}


def _seeded(tmp: Path):
    import flask_migrate

    from portal.extensions import db
    from portal.services import seed

    app = make_app(tmp)
    with app.app_context():
        flask_migrate.upgrade()
        seed.load_reference_data()
        db.session.commit()
    return app


def build_real(name: str, path: str) -> None:
    """Write the hostile variant of a real KZ 2025 template to `path` (own process: building
    90 MB of strings must not count in the measuring process's peak memory)."""
    sys.path.insert(0, str(ROOT / "tests"))
    import hostile

    from portal.extensions import db
    from portal.models import Country, ReportingPeriod
    from portal.services.returns.template_xlsx import build_template

    with tempfile.TemporaryDirectory() as tmp:
        app = _seeded(Path(tmp))
        with app.app_context(), app.test_request_context():
            country = db.session.scalar(db.select(Country).where(Country.iso2 == "KZ"))
            period = db.session.scalar(db.select(ReportingPeriod).where(ReportingPeriod.label == "2025"))
            Path(path).write_bytes(REAL[name](hostile, build_template(period.template, country, period, "en")))


def hostile_child(name: str, path: str | None = None) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    import hostile  # tests/hostile.py builds the files in memory

    data = Path(path).read_bytes() if path else getattr(hostile, name)()
    with tempfile.TemporaryDirectory() as tmp:
        app = _seeded(Path(tmp)) if path else make_app(Path(tmp))
        with app.app_context(), app.test_request_context():
            from portal.services.errors import ServiceError
            from portal.services.returns.validate import validate_upload

            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            t0 = time.perf_counter()
            try:
                validate_upload(data, None)
                outcome = "ACCEPTED (unexpected)"
            except ServiceError as exc:
                outcome = f"{exc.status}: {exc.message}"
            seconds = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "name": name,
                "bytes": len(data),
                "seconds": seconds,
                "extra_peak_mb": (after - before) / 1024,
                "outcome": outcome,
            }
        )
    )


def bench_hostile() -> None:
    env = {**os.environ, "PORTAL_ENV": "testing"}
    with tempfile.TemporaryDirectory() as tmp:
        for name in [*HOSTILE, *REAL]:
            extra = []
            if name in REAL:
                path = str(Path(tmp) / f"{name}.xlsx")
                subprocess.run(
                    [sys.executable, __file__, "--build", name, path],
                    capture_output=True,
                    check=True,
                    cwd=ROOT,
                    env=env,
                )
                extra = ["--file", path]
            out = subprocess.run(
                [sys.executable, __file__, "--hostile-child", name, *extra],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
                env=env,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"hostile {r['name']:<19} {r['bytes'] / 1024:8.0f} KiB upload: rejected in {r['seconds'] * 1000:7.1f} "
                f"ms, "
                f"extra peak RSS {r['extra_peak_mb']:6.1f} MB — {r['outcome'][:90]}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--hostile-child")
    parser.add_argument("--file")
    parser.add_argument("--build", nargs=2, metavar=("NAME", "PATH"))
    args = parser.parse_args()
    if args.build:
        build_real(*args.build)
    elif args.hostile_child:
        hostile_child(args.hostile_child, args.file)
    else:
        bench_full(args.runs)
        bench_form(args.runs)
        from review_grid import bench_grid  # bench/review_grid.py (it imports this module's helpers)

        bench_grid(args.runs)
        bench_hostile()
