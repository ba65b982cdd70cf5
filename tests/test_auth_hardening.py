"""Settings of the hardening that live outside the code: Streamlit's XSRF protection and upload
bound, no secret in the repository, no password hash or secret setting printed anywhere."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

from geo import auth, settings

REPO = Path(__file__).resolve().parent.parent


def test_streamlit_keeps_xsrf_on_and_bounds_uploads():
    cfg = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["server"].get("enableCORS", True) is True  # never turned off
    default_mb = next(int(s.default) for s in settings.SETTINGS if s.name == "P03_MAX_UPLOAD_MB")
    assert cfg["server"]["maxUploadSize"] == default_mb  # Streamlit's bound matches the app's
    assert cfg["browser"]["gatherUsageStats"] is False


def test_no_secret_is_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    assert ".streamlit/secrets.toml" not in tracked
    assert not [f for f in tracked if f.endswith((".pem", ".key", ".p12", ".env")) or "secret" in f.lower()]
    ignored = subprocess.run(["git", "check-ignore", ".streamlit/secrets.toml"], cwd=REPO, capture_output=True,
                             text=True)
    assert ignored.returncode == 0  # git-ignored


def test_auth_settings_are_declared():
    names = {s.name for s in settings.SETTINGS}
    assert {"P03_LOGIN_MAX_FAILURES", "P03_LOCKOUT_MINUTES", "P03_SESSION_IDLE_MINUTES", "P03_OIDC_DEFAULT_ROLE",
            "P03_READ_REQUIRES_LOGIN", "P03_MAX_UPLOAD_MB"} <= names


def test_error_messages_quote_user_input_without_links(data_dir, store):
    """An unreadable upload named like a Markdown image: the error names the file, as text."""
    from streamlit.testing.v1 import AppTest

    user = auth.add_user(store, "bientap", "mat-khau-dai-1", "editor", user=auth.User("test", "admin"))
    at = AppTest.from_file(str(REPO / "pages" / "upload.py"), default_timeout=90)
    at.session_state["p03_lang"] = "en"
    at.session_state["p03_user"] = {"username": user.username, "role": user.role, "display_name": user.display_name,
                                    "source": "local"}
    at.run()
    name = "![x](http://evil.p03.test/b.png) [click](http://evil.p03.test).geojson"
    at.file_uploader[0].upload(name, b"{ not json")
    at.run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "!\\[x\\](http://evil.p03.test/b.png) \\[click\\](http://evil.p03.test).geojson" in shown, shown
