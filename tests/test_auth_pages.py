"""Sign-in in the app (AppTest): the sidebar form, the read gate, idle expiry, lockout through the
form, and the Administration page (users and the audit trail) as each role."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import auth
from pages.ui.account_box import SIGN_IN_OPEN
from pages.ui.auth import CLEAR_KEY
from tests.auth_support import open_sign_in, signin_shown

REPO = Path(__file__).resolve().parent.parent
PW = {"root": "root-pass-123", "ed": "editor-pass-123", "vi": "viewer-pass-123"}
ROLE = {"root": "admin", "ed": "editor", "vi": "viewer"}


@pytest.fixture()
def people(store):
    auth.add_user(store, "root", PW["root"], "admin", actor="test", bootstrap=True)
    auth.add_user(store, "ed", PW["ed"], "editor", user=auth.User("root", "admin"), display_name="Biên **tập** [x](javascript:alert(1))")
    auth.add_user(store, "vi", PW["vi"], "viewer", user=auth.User("root", "admin"))
    return store


def app(page: str) -> AppTest:
    at = AppTest.from_file(str(REPO / page), default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def sign_in(at: AppTest, name: str, password: str | None = None) -> AppTest:
    open_sign_in(at)
    at.sidebar.text_input(key="p03_signin_user").input(name)
    at.sidebar.text_input(key="p03_signin_pw").input(PW.get(name, "x") if password is None else password)
    at.sidebar.button(key="p03_signin_submit").click()
    at.run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def test_sign_in_and_out(people):
    at = sign_in(app("pages/admin.py"), "ed")
    caption = texts(at.sidebar.caption)
    assert "Biên tập viên" in caption  # role label, vi by default
    assert "\\*\\*tập\\*\\*" in caption and "\\[x\\]\\(javascript\\:" in caption  # Markdown shown literally
    at.sidebar.button(key="p03_sign_out").click().run()
    assert "p03_user" not in at.session_state
    assert at.sidebar.text_input(key="p03_signin_user") is not None
    # the form keeps its place whether or not the run draws the script that deletes the cookie: a
    # form that moved would show twice (the old one stays on screen until the next run ends)
    with_script = place(at.sidebar, "p03_signin_user")
    at.session_state[CLEAR_KEY] = None  # what the script reports once the cookie is gone
    at.run()
    assert place(at.sidebar, "p03_signin_user") == with_script


def place(block, key: str) -> tuple[int, ...] | None:
    """The position of the widget ``key`` in ``block`` (its children's indices, outermost first)."""
    for index, child in getattr(block, "children", {}).items():
        if getattr(child, "key", None) == key:
            return (index,)
        found = place(child, key)
        if found is not None:
            return (index, *found)
    return None


def test_wrong_password_then_lockout_through_the_form(people, monkeypatch):
    monkeypatch.setenv("P03_LOGIN_MAX_FAILURES", "3")
    at = app("pages/admin.py")
    at.sidebar.radio(key="p03_lang_radio").set_value("en").run()
    sign_in(at, "vi", "not-it-1")
    assert "Wrong user name or password" in texts(at.sidebar.error)
    sign_in(at, "vi", "not-it-2")
    later = auth._now() + dt.timedelta(seconds=1.1)  # the second failure makes the next attempt wait a second
    monkeypatch.setattr(auth, "_now", lambda: later)
    sign_in(at, "vi", "not-it-3")
    sign_in(at, "vi")  # the right password, but the account is locked now
    assert "Too many failed sign-ins" in texts(at.sidebar.error)
    assert "p03_user" not in at.session_state
    assert len(people.audit(action="user_lock")) == 1


def test_idle_session_expires(people, monkeypatch):
    monkeypatch.setenv("P03_SESSION_IDLE_MINUTES", "5")
    at = sign_in(app("pages/admin.py"), "root")
    assert at.tabs
    at.session_state["p03_last_seen"] = time.time() - 5 * 60 - 5
    at.run()
    assert "p03_user" not in at.session_state
    assert "hết hạn" in texts(at.sidebar.info)
    assert not at.tabs


def test_disabling_or_demoting_ends_rights_at_once(people):
    at = sign_in(app("pages/admin.py"), "root")
    auth.add_user(people, "root2", "root2-pass-123", "admin", user=auth.User("root", "admin"))
    auth.set_role(people, "root", "viewer", user=auth.User("root2", "admin"))
    at.run()
    assert not at.tabs and "admin" in texts(at.warning)
    auth.set_disabled(people, "root", True, user=auth.User("root2", "admin"))
    at.run()
    assert "p03_user" not in at.session_state


@pytest.mark.parametrize("page", ["pages/district_map.py", "app.py"])
def test_read_requires_login_gate(people, monkeypatch, page):
    monkeypatch.setenv("P03_READ_REQUIRES_LOGIN", "true")
    at = app(page)
    assert "Cần đăng nhập" in texts(at.info)
    assert not at.dataframe  # nothing of the data shown
    sign_in(at, "vi")
    assert "Cần đăng nhập" not in texts(at.info)
    assert at.dataframe


def test_public_read_by_default(people):
    at = app("pages/district_map.py")
    assert at.dataframe and not at.warning


def test_sign_in_form_waits_in_its_expander_where_reading_needs_no_account(people):
    """Pages anyone may read keep the form in the "staff account" expander (its element kinds then
    load only when asked for); pages for signed-in users show it at once."""
    at = app("pages/district_map.py")
    assert not signin_shown(at)
    assert "Tài khoản cán bộ" in [e.label for e in at.sidebar.expander]
    at.session_state[SIGN_IN_OPEN] = True  # a click on the expander
    at.run()
    assert signin_shown(at)
    at.sidebar.text_input(key="p03_signin_user").input("ed")
    at.sidebar.text_input(key="p03_signin_pw").input(PW["ed"])
    at.sidebar.button(key="p03_signin_submit").click()
    at.run()
    assert "Biên tập viên" in texts(at.sidebar.caption) and not signin_shown(at)
    for page in ("pages/admin.py", "pages/upload.py"):
        assert signin_shown(app(page)), page


@pytest.mark.parametrize("user", [None, "vi", "ed", "root"])
def test_admin_page_role_matrix(people, user):
    at = app("pages/admin.py")
    if user:
        sign_in(at, user)
    if ROLE.get(user) == "admin":
        assert [t.label for t in at.tabs] == ["Người dùng", "Nhật ký thay đổi", "Mã truy cập API"]
        assert not at.warning
    else:
        assert not at.tabs and not at.dataframe
        assert "quản lý người dùng" in texts(at.warning)


def test_admin_manages_users_and_every_change_is_audited(people):
    at = sign_in(app("pages/admin.py"), "root")
    at.text_input(key="p03_add_name").input("Hoa")
    at.text_input(key="p03_add_display").input("<img src=x onerror=alert(1)>")
    at.selectbox(key="p03_add_role").set_value("editor")
    at.text_input(key="p03_add_pw").input("hoa-pass-123")
    at.text_input(key="p03_add_pw2").input("hoa-pass-123")
    at.button(key="p03_add_submit").click().run()
    assert not at.exception and "hoa" in texts(at.success)
    users = at.dataframe[0].value
    assert "<img src=x onerror=alert(1)>" in set(users.iloc[:, 1])  # shown literally in the table

    at.selectbox(key="p03_user_pick").set_value("hoa").run()
    at.selectbox(key="p03_user_role").set_value("viewer")
    at.button(key="p03_user_set_role").click().run()
    at.selectbox(key="p03_user_pick").set_value("hoa").run()
    at.button(key="p03_user_toggle").click().run()
    at.selectbox(key="p03_user_pick").set_value("hoa").run()
    at.text_input(key="p03_reset_pw").input("hoa-new-pass-1")
    at.text_input(key="p03_reset_pw2").input("hoa-new-pass-1")
    at.button(key="p03_reset_submit").click().run()
    assert not at.exception and not at.error
    row = people.get_user("hoa")
    assert (row["role"], bool(row["disabled"])) == ("viewer", True)
    trail = people.audit()
    mine = trail[(trail["entity_id"] == "hoa")]
    assert list(mine["action"]) == ["user_reset_password", "user_disable", "user_set_role", "user_add"]
    assert set(mine["actor"]) == {"root"}


def test_admin_cannot_remove_the_last_admin(people):
    at = sign_in(app("pages/admin.py"), "root")
    at.selectbox(key="p03_user_pick").set_value("root").run()
    at.button(key="p03_user_toggle").click().run()
    assert "no active admin" in texts(at.error) or "quản trị viên cuối cùng" in texts(at.error)
    assert not people.get_user("root")["disabled"]


def test_audit_tab_filters_and_csv(people):
    at = sign_in(app("pages/admin.py"), "root")
    at.selectbox(key="p03_audit_action").set_value("user_add").run()
    table = at.dataframe[1].value
    assert len(table) == 3 and set(table["id"]) == set(people.audit(action="user_add")["id"])
    assert at.get("download_button")
    at.text_input(key="p03_audit_text").input("javascript").run()
    assert len(at.dataframe[1].value) == 1
    at.text_input(key="p03_audit_text").input("no-such-thing-anywhere").run()
    assert "Không có dòng nhật ký" in texts(at.info)


def test_organisation_sign_in_offered_only_when_configured(people):
    at = app("pages/admin.py")
    assert not [b for b in at.sidebar.button if b.key == "p03_sign_in_oidc"]
    at = AppTest.from_file(str(REPO / "pages/admin.py"), default_timeout=90)
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "p03", "client_secret": "s",
                          "server_metadata_url": "https://login.example.test/.well-known/openid-configuration"}
    at.run()
    assert not at.exception
    assert [b for b in at.sidebar.button if b.key == "p03_sign_in_oidc"]
    assert at.sidebar.text_input(key="p03_signin_user") is not None  # local accounts still work
