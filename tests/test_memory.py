"""Memory given back after large responses (portal/services/memory.py)."""

import sys

import pytest

from portal.services import memory

from .test_compare import returns  # noqa: F401  (fixture)

FREE_AND_GIVE_BACK = """
import re
from pathlib import Path
from portal.services import memory

def rss():
    return int(re.search(r"VmRSS:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1)) // 1024

before = rss()
blocks = [bytes(1000) + bytes([i % 256]) for i in range(200_000)]  # ~200 MiB in malloc'd blocks
grown = rss() - before
del blocks
memory.give_back()
print(grown, rss() - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_freed_memory_goes_back_to_the_system():
    """In a fresh process (the test process's own heap is whatever the suite left)."""
    import subprocess

    out = subprocess.run([sys.executable, "-c", FREE_AND_GIVE_BACK], capture_output=True, text=True, check=True)
    grown, kept = (int(n) for n in out.stdout.split())
    assert grown >= 150
    assert kept <= 20  # glibc alone would keep most of it


def test_the_excel_export_gives_its_memory_back(client, login_as, returns, monkeypatch):  # noqa: F811
    calls = []
    monkeypatch.setattr(memory, "give_back", lambda: calls.append(1))
    login_as("delegate")
    assert client.get("/compare/export.xlsx?indicator=REP01&period=2025").status_code == 200
    assert client.get("/compare/export.csv?indicator=REP01&period=2025").status_code == 200
    assert calls == [1, 1]


def test_the_app_starts_without_pandas_or_the_chart_png_code(tmp_path):
    """An idle worker holds what the app imports at start: pandas comes with the first
    comparison (services/compare/__init__.py), CairoSVG with the first PNG."""
    import os
    import subprocess

    code = (
        "import sys; import portal.wsgi; "
        "print(sorted(m for m in ('pandas', 'cairosvg', 'weasyprint', 'matplotlib') if m in sys.modules))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
        "SECRET_KEY": "x" * 40,
        "PORTAL_ENV": "development",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout.strip() == "[]", out.stderr
