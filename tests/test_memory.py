"""Memory given back after large responses (portal/services/memory.py)."""

import re
import sys
from pathlib import Path

import pytest

from portal.services import memory

from .test_compare import returns  # noqa: F401  (fixture)


def _rss_mib() -> int:
    return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) // 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_freed_memory_goes_back_to_the_system():
    before = _rss_mib()
    blocks = [bytes(1000) + bytes([i % 256]) for i in range(100_000)]  # ~100 MiB in malloc'd blocks
    grown = _rss_mib()
    del blocks
    memory.give_back()
    assert grown - before >= 80
    assert _rss_mib() - before <= 20  # glibc alone would keep most of it


def test_the_excel_export_gives_its_memory_back(client, login_as, returns, monkeypatch):  # noqa: F811
    calls = []
    monkeypatch.setattr(memory, "give_back", lambda: calls.append(1))
    login_as("delegate")
    assert client.get("/compare/export.xlsx?indicator=REP01&period=2025").status_code == 200
    assert calls == [1]
