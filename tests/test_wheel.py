"""The wheel carries everything the portal reads at run time (templates, static files, compiled
translations, seed data, migrations): installed into a fresh virtual environment outside the
checkout, it migrates a new SQLite database, seeds it and serves the sign-in page and its
stylesheets in English and Russian. Built offline (no index, no build isolation)."""

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_INPUTS = ("portal", "pyproject.toml", "setup.py")

PAGE = r"""
import json, re
import portal
from sqlalchemy import func, select
from portal.extensions import db
from portal.models import Country
from portal.wsgi import app

out = {"portal": portal.__file__, "instance": app.instance_path, "database": app.config["SQLALCHEMY_DATABASE_URI"]}
with app.app_context():
    out["countries"] = db.session.scalar(select(func.count(Country.id)))
client = app.test_client()
for lang in ("en", "ru"):
    page = client.get("/auth/login", headers={"Accept-Language": lang})
    html = page.get_data(as_text=True)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    out[lang] = {"status": page.status_code, "title": re.search(r"<title>(.*?)</title>", html, re.S).group(1),
                 "css": [[href, r.status_code, r.mimetype, len(r.data)] for href in sheets for r in [client.get(href)]]}
print(json.dumps(out))
"""


def _run(args: list, cwd: Path, env: dict | None = None) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_the_wheel_installs_and_serves_outside_the_checkout(tmp_path):
    # Build from a copy without compiled catalogues, so the build itself must compile them and
    # its build/ and *.egg-info stay out of the checkout.
    source = tmp_path / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = tmp_path / "dist"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--no-cache-dir",
            "--quiet",
            "-w",
            dist,
            source,
        ],
        cwd=tmp_path,
    )
    (wheel,) = dist.glob("prr_portal-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--no-deps",
            "--no-index",
            "--no-cache-dir",
            "--quiet",
            wheel,
        ],
        cwd=tmp_path,
    )
    # The dependencies come from the test's own environment (offline), added after the install so
    # that pip sees only the new environment; a plain path in a .pth file does not run the
    # checkout's editable-install hook that lives there.
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    target = Path(_run([python, "-c", purelib], cwd=tmp_path).strip())
    (target / "test_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")

    work = tmp_path / "work"  # the working directory: its .env is read, nothing else in it
    work.mkdir()
    database = work / "portal.db"
    (work / ".env").write_text(f"DATABASE_URL=sqlite:///{database}\n")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8", "PORTAL_ENV": "development"}
    flask = [python, "-m", "flask", "--app", "portal.wsgi"]
    _run([*flask, "db", "upgrade"], cwd=work, env=env)
    _run([*flask, "seed"], cwd=work, env=env)
    out = json.loads(_run([python, "-c", PAGE], cwd=work, env=env).splitlines()[-1])

    assert Path(out["portal"]).is_relative_to(target), out["portal"]
    # Flask's instance folder for an installed package, not site-packages nor the checkout.
    assert Path(out["instance"]) == venv / "var" / "portal-instance"
    assert (venv / "var" / "portal-instance" / "secret_key").is_file()  # development key written there
    assert out["database"] == f"sqlite:///{database}" and database.is_file()
    assert out["countries"] > 0
    assert out["en"]["title"].startswith("Sign in") and out["ru"]["title"].startswith("Вход")
    for lang in ("en", "ru"):
        assert out[lang]["status"] == 200
        hrefs = [href for href, *_ in out[lang]["css"]]
        assert any("portal.css" in h for h in hrefs) and any("bootstrap.min.css" in h for h in hrefs), hrefs
        for href, status, mimetype, size in out[lang]["css"]:
            assert (status, mimetype) == (200, "text/css") and size > 0, href
