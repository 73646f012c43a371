"""The lint is part of the suite: ruff's rules, including the one clock (TID251: no
`datetime.now`/`utcnow`/`time.time` outside the kit) and the formatting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ruff_check_passes() -> None:
    done = _ruff("check", "--output-format", "concise")
    assert done.returncode == 0, done.stdout + done.stderr


def test_code_is_formatted() -> None:
    done = _ruff("format", "--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_clock_ban_catches_a_service_reading_the_system_clock() -> None:
    """The rule is really on for service code (a config typo would silently disable it)."""
    probe = ROOT / "services" / "rules" / "src" / "ladder" / "rules" / "_clock_probe.py"
    probe.write_text("from datetime import UTC, datetime\n\nNOW = datetime.now(UTC)\n")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "TID251", str(probe)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        probe.unlink()
    assert done.returncode == 1 and "TID251" in done.stdout, done.stdout + done.stderr
