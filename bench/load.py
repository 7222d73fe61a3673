"""Load benchmark: the pages people open, under gunicorn, against a bare Flask "hello".

    .venv/bin/python bench/load.py [--duration 5] [--connections 16] [--workers 2] [--pg URL]

Creates a scratch PostgreSQL database (prr_load, on the server of --pg, default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres), migrates it and seeds the demo data;
starts the portal under gunicorn (`--workers` sync workers) and a bare Flask app answering
"hello" under the same gunicorn settings; signs in as the demo delegate and secretariat; then
runs Debian's `wrk` (installed with apt-get when missing and run as root) against each page,
each run preceded by a run against the bare app (the anchor: this machine is noisy, so each
ratio is to the anchor measured just before it). Prints req/s, p50, p99, errors and the share
of the anchor's req/s per page, the workers' memory before and after, and checks the
targets of issue 14. Stops everything it started and drops the database.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCRATCH = "prr_load"
AGENT = "prr-load-bench"
HELLO = 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get("/")\ndef hello():\n    return "hello"\n'
# page -> (share of the anchor's req/s at least, p99 at most in ms)
TARGETS = {
    "sign-in": (0.30, 250),
    "dashboard (delegate)": (0.15, 250),
    "comparison page": (0.03, 300),
    "library search": (0.10, 250),
    "meeting page": (0.15, 250),
    "brief page": (0.15, 250),
    "comparison API": (0.05, 250),
    "return page (secretariat)": (0.15, 250),
}


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is not installed and this is not root: apt-get install wrk, then run again")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, env=env, stdout=subprocess.DEVNULL)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, env=env, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def gunicorn(app: str, port: int, workers: int, env: dict, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning", app],
        cwd=cwd,
        env=env,
        start_new_session=True,
    )


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server for {url} stopped (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"{url} did not answer within {seconds} s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


def sign_in(base: str, email: str, password: str) -> str:
    """The Cookie header of a signed-in session (through the real form, CSRF token included)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    opener.addheaders = [("User-Agent", AGENT)]
    page = opener.open(f"{base}/auth/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', page
    )
    data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token.group(1) if token else ""})
    try:
        opener.open(f"{base}/auth/login", data=data.encode())
    except urllib.error.HTTPError as exc:
        if exc.code != 302:
            raise
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie


def check(url: str, headers: dict) -> None:
    """The page answers 200 for this session: a redirect to sign-in would make wrk's figures lie."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"User-Agent": AGENT, **headers})
    try:
        with opener.open(request) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status != 200:
        sys.exit(f"{url} answered {status}, not 200")


def wrk(binary: str, url: str, headers: dict, duration: int, connections: int) -> dict:
    args = [binary, "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency", "-H", f"User-Agent: {AGENT}"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors += sum(int(n) for n in socket.groups()) if socket else 0
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"\s50%\s+([\d.]+\w+)", out).group(1)),
        "p99": _ms(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1)),
        "errors": errors,
    }


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def workers_rss(master: subprocess.Popen) -> list[int]:
    """The resident memory of the master's workers, in MiB."""
    out = []
    for pid in subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True).stdout.split():
        status = Path(f"/proc/{pid}/status").read_text()
        out.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024)
    return out


def targets(env: dict, base: str) -> dict:
    """The pages: (path, who is signed in)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        labels = [r[0] for r in conn.execute(text("SELECT label FROM reporting_period ORDER BY start_date"))]
        brief = conn.execute(text("SELECT brief_id FROM brief_edition ORDER BY id LIMIT 1")).scalar()
        meeting = conn.execute(text("SELECT meeting_id FROM brief WHERE id = :b"), {"b": brief}).scalar()
        ret = conn.execute(
            text("SELECT id FROM country_return WHERE status = 'submitted' ORDER BY id LIMIT 1")
        ).scalar()
    engine.dispose()
    last3 = "&".join(f"period={p}" for p in labels[-3:])
    return {
        "sign-in": ("/auth/login", None),
        "dashboard (delegate)": ("/", "delegate"),
        "comparison page": (f"/compare/?indicator=REP01&{last3}", "delegate"),
        "library search": ("/library/?q=stigma", "delegate"),
        "meeting page": (f"/meetings/{meeting}", "delegate"),
        "brief page": (f"/meetings/briefs/{brief}", "delegate"),
        "comparison API": (f"/api/v1/comparison?indicator=REP01&{last3}", "token"),
        "return page (secretariat)": (f"/returns/{ret}", "secretariat"),
    }


def api_token(base: str) -> str:
    import json

    request = urllib.request.Request(
        f"{base}/api/v1/auth/token",
        data=json.dumps({"email": "delegate@prr.example", "password": "demo-delegate"}).encode(),
        headers={"Content-Type": "application/json", "User-Agent": AGENT},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["token"]


def main(duration: int, connections: int, workers: int, server_url: str) -> int:
    binary = ensure_wrk()
    from compare import scratch_database  # bench/compare.py

    url, drop = scratch_database(server_url, SCRATCH)
    tmp = Path(tempfile.mkdtemp(prefix="prr-load-"))
    (tmp / "hello.py").write_text(HELLO)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "load-bench-secret-key-0123456789abcdef",
        "PORTAL_ENV": "production",
        "SESSION_COOKIE_SECURE": "0",
        "UPLOAD_FOLDER": str(tmp / "uploads"),
    }
    servers: list[subprocess.Popen] = []
    try:
        flask = [str(BIN / "flask"), "--app", "wsgi"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([*flask, "seed", "--demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        portal = gunicorn("wsgi:app", 8701, workers, env, ROOT)
        hello = gunicorn("hello:app", 8702, workers, env, tmp)
        servers += [portal, hello]
        base, anchor = "http://127.0.0.1:8701", "http://127.0.0.1:8702/"
        wait_for(f"{base}/auth/login", portal)
        wait_for(anchor, hello)
        time.sleep(1)
        idle = workers_rss(portal)
        sessions = {
            "delegate": {"Cookie": sign_in(base, "delegate@prr.example", "demo-delegate")},
            "secretariat": {"Cookie": sign_in(base, "secretariat@prr.example", "demo-secretariat")},
            "token": {"Authorization": f"Bearer {api_token(base)}"},
            None: {},
        }
        pages = targets(env, base)
        print(f"wrk, {connections} connections, {duration} s per run, gunicorn {workers} sync workers, PostgreSQL")
        print(
            f"{'page':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'anchor req/s':>14}{'share':>8}  target"
        )
        failures = 0
        for name, (path, who) in pages.items():
            headers = sessions[who]
            check(base + path, headers)
            wrk(binary, base + path, headers, 1, connections)  # warm: the first requests fill caches
            bare = wrk(binary, anchor, {}, duration, connections)
            got = wrk(binary, base + path, headers, duration, connections)
            share = got["rps"] / bare["rps"]
            least, p99_max = TARGETS[name]
            ok = share >= least and got["p99"] <= p99_max and got["errors"] == 0
            failures += not ok
            print(
                f"{name:<28}{got['rps']:>9.0f}{got['p50']:>9.1f}{got['p99']:>9.1f}{got['errors']:>8}"
                f"{bare['rps']:>14.0f}{share:>7.1%}  ≥{least:.0%}, p99 ≤{p99_max} ms: {'met' if ok else 'NOT met'}"
            )
        print(f"worker RSS MiB: idle {idle}, after the runs {workers_rss(portal)} (target: idle ≤ 120)")
        print(f"{len(pages) - failures} of {len(pages)} pages met their targets")
        return 0
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds per run (default 5)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    options = parser.parse_args()
    sys.exit(main(options.duration, options.connections, options.workers, options.pg))
