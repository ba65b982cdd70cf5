"""Sign-in in real Chromium with P03_READ_REQUIRES_LOGIN=true: an anonymous visitor sees only the
sign-in form, a wrong password is refused in words, a viewer gets the map but not the
Administration page, an admin gets it, and a reload keeps the sign-in (the cookie) until signing out."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from geo import auth
from geo.store import open_store
from pages.ui import cookies
from tests.browser_support import AppServer, browser, make_data_dir, new_page, out_dir, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def private_app(tmp_path_factory, boundaries_dir):
    data = make_data_dir(tmp_path_factory.mktemp("private"), boundaries_dir)
    store = open_store(url="", folder=data / "projects")
    auth.add_user(store, "root", "root-pass-123", "admin", actor="test", bootstrap=True)
    auth.add_user(store, "minh", "minh-pass-123", "viewer", user=auth.User("root", "admin"), display_name="Trần Minh")
    server = AppServer(data, env={"P03_READ_REQUIRES_LOGIN": "true"})
    yield server
    server.stop()


def test_cookie_routes_refuse_big_bodies(private_app):
    """The sign-in cookie's routes read a form of a few bytes; a bigger body is refused (413)."""
    for path in (cookies.SET_PATH, cookies.END_PATH):
        big = urllib.request.Request(private_app.url + path, data=b"code=" + b"x" * 65_536, method="POST",
                                     headers={"Origin": private_app.url,
                                              "Content-Type": "application/x-www-form-urlencoded"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(big, timeout=30)
        assert refused.value.code == 413, path
        small = urllib.request.Request(private_app.url + path, data=b"code=not-a-code&sid=x", method="POST",
                                       headers={"Origin": private_app.url,
                                                "Content-Type": "application/x-www-form-urlencoded"})
        try:
            status = urllib.request.urlopen(small, timeout=30).status
        except urllib.error.HTTPError as exc:
            status = exc.code
        assert status == (403 if path == cookies.SET_PATH else 204), path  # read, and answered as such


def test_private_app_sign_in_roles_and_sign_out(private_app, browser, request):
    page = new_page(browser)
    try:
        page.goto(private_app.url + "/district_map?district=002")
        page.get_by_text("Cần đăng nhập để xem ứng dụng này").wait_for(timeout=60_000)
        assert page.locator(".p03-live").count() == 0  # no map
        assert page.locator("[data-testid='stDataFrame']").count() == 0

        sign_in(page, "minh", "wrong-password", ok=False, enter=False)  # the button, once
        page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.").wait_for(timeout=30_000)
        sign_in(page, "minh", "minh-pass-123")
        page.get_by_text("Trần Minh").wait_for(timeout=30_000)
        page.locator(".p03-live .leaflet-container").wait_for(timeout=60_000)  # the district map
        page.screenshot(path=str(out_dir(request) / "viewer_map.png"), full_page=True)

        page.locator("[data-testid='stSidebar']").get_by_role("link", name="Quản trị").click()
        page.get_by_text("Cần đăng nhập (vai trò “admin” trở lên)").or_(
            page.get_by_text("Bạn không có quyền quản lý người dùng")).first.wait_for(timeout=30_000)
        assert page.get_by_role("tab", name="Nhật ký thay đổi").count() == 0

        held = []  # the sign-out's request to delete the cookie, answering only after the next sign-in
        page.route("**/p03/session/end", lambda route: held.append(route))
        with page.expect_request("**/p03/session/end", timeout=30_000):
            page.get_by_role("button", name="Đăng xuất").click()
        page.get_by_text("Cần đăng nhập để xem ứng dụng này").wait_for(timeout=30_000)

        sign_in(page, "root", "root-pass-123", ok=False)  # its cookie's request waits behind the held one
        page.get_by_role("tab", name="Nhật ký thay đổi").wait_for(timeout=30_000)
        assert len(held) == 1 and page.locator(".st-key-p03_cookie_set").count() == 1  # root's, waiting
        page.evaluate("document.body.dataset.p03Cookie = 'held'")
        held[0].continue_()  # late: it must not delete the cookie of the sign-in made since
        page.wait_for_function("document.body.dataset.p03Cookie === 'ok'", timeout=30_000)  # root's, after it
        page.reload()  # a new Streamlit session: the cookie signs the admin back in
        page.get_by_role("tab", name="Nhật ký thay đổi").wait_for(timeout=60_000)
        page.get_by_role("button", name="Đăng xuất").click()
        page.get_by_text("Cần đăng nhập để xem ứng dụng này").wait_for(timeout=30_000)
        page.reload()  # signed out stays signed out
        page.get_by_text("Cần đăng nhập để xem ứng dụng này").wait_for(timeout=60_000)
        assert page.p03_external == [], page.p03_external
    finally:
        page.context.close()


def test_sign_in_survives_reload_new_tab_and_shared_link_until_revoked(private_app, browser):
    """The cookie: HttpOnly, SameSite=Lax, expiring; a reload, a second tab and a pasted link keep
    the sign-in; sign-out in one tab ends it in the others; disabling the account ends it too."""
    page = new_page(browser)
    try:
        page.goto(private_app.url + "/")
        sign_in(page, "minh", "minh-pass-123")
        page.get_by_text("Trần Minh").wait_for(timeout=30_000)
        page.wait_for_function("document.body.dataset.p03Cookie === 'ok'", timeout=30_000)
        cookie = next(c for c in page.context.cookies() if c["name"] == "p03_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["expires"] > 0
        assert page.evaluate("document.cookie").find("p03_session") < 0  # page scripts never see it

        page.reload()
        page.get_by_text("Trần Minh").wait_for(timeout=60_000)
        tab = page.context.new_page()  # a shared link opened in a new tab
        tab.goto(private_app.url + "/district_map?district=002")
        tab.get_by_text("Trần Minh").wait_for(timeout=60_000)
        tab.locator(".p03-live .leaflet-container").wait_for(timeout=60_000)

        tab.get_by_role("button", name="Đăng xuất").click()  # sign out in the second tab ...
        tab.get_by_text("Cần đăng nhập để xem ứng dụng này").wait_for(timeout=30_000)
        page.reload()  # ... ends the first tab's sign-in too
        page.get_by_text("Cần đăng nhập để xem ứng dụng này").wait_for(timeout=60_000)

        sign_in(page, "minh", "minh-pass-123")
        page.wait_for_function("document.body.dataset.p03Cookie === 'ok'", timeout=30_000)
        auth.set_disabled(open_store(url="", folder=private_app.data_dir / "projects"), "minh", user=auth.User("root", "admin"))
        page.reload()
        page.get_by_text("Cần đăng nhập để xem ứng dụng này").wait_for(timeout=60_000)
    finally:
        page.context.close()
