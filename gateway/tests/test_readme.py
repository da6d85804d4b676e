"""README's first curl session, run as written against `make dev`'s process; and the demo account it names."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def curl_session() -> str:
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), flags=re.S)
    sessions = [block for block in blocks if "/api/v1/auth/register" in block and "/api/v1/auth/logout" in block]
    assert len(sessions) == 1, "README has one first session with curl"
    return sessions[0]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_readme_curl_session_confirms_logs_in_refreshes_and_really_logs_out(dev_server: str) -> None:
    script = curl_session().replace("localhost:8000", dev_server.removeprefix("http://"))
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert '"status":"accepted"' in lines[0]  # registered (the same answer for a taken email)
    assert lines[1] == "verify-email: 204"  # confirmed with the token make dev kept at /dev/mail
    assert '"email":"ada@example.com"' in lines[2]  # /me with the access token
    assert lines[3:] == ["logout: 204", "refresh after logout: 401"]


def test_the_demo_account_has_a_day_to_show(dev_server: str) -> None:
    """`DEMO=1 make dev` (as the fixture starts it) created the account README prints, with history."""
    with httpx.Client(base_url=dev_server, timeout=30) as http:
        tokens = http.post("/api/v1/auth/login", json={"email": "demo@example.com", "password": "Sixty-days-strong"})
        assert tokens.status_code == 200, tokens.text
        auth = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
        summary = http.get("/api/v1/summary/daily", headers=auth)
        assert summary.status_code == 200, summary.text
        today = summary.json()
        yesterday = http.get("/api/v1/summary/daily", headers=auth,
                             params={"date": _day_before(today["date"])}).json()
        assert yesterday["kcal_in"] > 600 and yesterday["water_ml"] >= 750
        assert yesterday["latest_weight_kg"] is not None and today["kcal_target"] is not None
        habits = http.get("/api/v1/habits", headers=auth).json()["items"]
        assert len(habits) == 3 and all(habit["current_streak"] > 0 for habit in habits)


def _day_before(iso_day: str) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(iso_day) - timedelta(days=1)).isoformat()
