"""The CLI identity and the ``users`` / ``audit`` commands: bootstrap of the first admin, the role
matrix for every data-changing command (anonymous and viewer refused, editor/admin allowed),
passwords from stdin and typed on a terminal without echo."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo import auth
from geo.cli import build_parser, main

REPO = Path(__file__).resolve().parent.parent
PW = {"root": "root-pass-123", "ed": "editor-pass-123", "vi": "viewer-pass-123"}
DEMO = REPO / "data" / "demo" / "programme03_demo.geojson"


def run(argv, monkeypatch, capsys, user=None, stdin=""):
    """``python -m geo ARGV`` in-process as ``user`` (None: anonymous); returns (code, out, err)."""
    if user is None:
        monkeypatch.delenv("P03_USER", raising=False)
        monkeypatch.delenv("P03_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("P03_USER", user)
        monkeypatch.setenv("P03_PASSWORD", PW.get(user, "not-the-password"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["--lang", "en", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def people(store, monkeypatch, capsys):
    code, out, _ = run(["users", "add", "root", "--role", "admin", "--password-stdin"], monkeypatch, capsys,
                       stdin=PW["root"] + "\n")
    assert code == 0 and "first admin" in out
    for name, role in (("ed", "editor"), ("vi", "viewer")):
        code, _, err = run(["users", "add", name, "--role", role], monkeypatch, capsys, user="root",
                           stdin=PW[name] + "\n")
        assert code == 0, err
    return store


def test_first_user_must_be_an_admin(store, monkeypatch, capsys):
    code, _, err = run(["users", "add", "ed", "--role", "editor"], monkeypatch, capsys, stdin="editor-pass-1\n")
    assert code == 2 and "first user must be an admin" in err
    assert store.list_users().empty


def test_bootstrap_is_audited_and_happens_once(people, monkeypatch, capsys):
    rows = people.audit(action="user_add")
    assert list(rows.sort_values("id")["entity_id"]) == ["root", "ed", "vi"]
    assert rows.sort_values("id").iloc[1]["actor"] == "cli:root"
    code, _, err = run(["users", "add", "eve", "--role", "admin"], monkeypatch, capsys, stdin="eve-pass-123\n")
    assert code == 3 and "P03_USER" in err
    assert people.get_user("eve") is None


# (argv, stdin, least role). Every command that changes data or shows the audit trail; {file},
# {batch}, {src}, {dst} are filled in per test.
COMMANDS = [
    (["users", "add", "new1", "--role", "viewer"], "new-pass-123\n", "admin"),
    (["users", "list"], "", "admin"),
    (["users", "set-role", "vi", "viewer"], "", "admin"),
    (["users", "disable", "vi"], "", "admin"),
    (["users", "enable", "vi"], "", "admin"),
    (["users", "reset-password", "vi"], PW["vi"] + "\n", "admin"),
    (["audit"], "", "admin"),
    (["import", "{file}"], "", "editor"),
    (["import", "{file}", "--accept-valid", "--json"], "", "editor"),
    (["rollback", "{batch}"], "", "editor"),
    (["copy", "--from", "{src}", "--to", "{dst}"], "", "admin"),
]
SITES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.8525, 21.0288]},
     "properties": {"id": "cli-1", "name": "Vườn hoa Lý Thái Tổ (thử)", "category": "park"}}]}


def _registered(argv):
    parser = build_parser()
    try:
        parser.parse_args(argv)
    except SystemExit:
        return False
    return True


@pytest.fixture()
def ctx(people, store_url, tmp_path):
    """What the templated commands act on: a file to import, a committed batch, source and target stores."""
    from geo import ingest

    path = tmp_path / "vuon-hoa.geojson"
    path.write_text(json.dumps(SITES), encoding="utf-8")
    other = json.dumps({**SITES, "features": [{**SITES["features"][0], "properties": {
        "id": "cli-2", "name": "Chợ thử", "category": "market"}}]}).encode()
    batch = ingest.commit(ingest.check(other, "other.geojson", store=people), people, auth.User("ed", "editor"), actor="cli:ed")
    return {"file": str(path), "batch": batch, "src": store_url, "dst": f"sqlite:///{tmp_path / 'copy'}"}


@pytest.mark.parametrize("user", [None, "vi", "ed", "root"])
@pytest.mark.parametrize("argv,stdin,least", COMMANDS, ids=[" ".join(c[0][:2]) for c in COMMANDS])
def test_cli_role_matrix(people, ctx, monkeypatch, capsys, user, argv, stdin, least):
    argv = [a.format(**ctx) for a in argv]
    if not _registered(argv):
        pytest.skip(f"{argv[0]} is not a command yet")
    before = (len(people.audit()), people.count_sites(), people.version())
    code, out, err = run(argv, monkeypatch, capsys, user=user, stdin=stdin)
    role = {None: None, "vi": "viewer", "ed": "editor", "root": "admin"}[user]
    if auth.at_least(role, least):
        assert code == 0, (code, out, err)
    else:
        assert code == 3, (code, out, err)
        assert ("Sign in" in err) if user is None else ("may not" in err)
        assert (len(people.audit()), people.count_sites(), people.version()) == before  # nothing changed
        assert not (Path(ctx["dst"][len("sqlite:///"):]) / "p03.sqlite").exists()


def test_checking_a_file_needs_no_sign_in(people, ctx, monkeypatch, capsys):
    code, out, err = run(["import", ctx["file"], "--dry-run", "--json"], monkeypatch, capsys)
    assert code == 0, err
    assert json.loads(out)["valid"] == 1 and people.query_sites().query("id == 'cli-1'").empty


def test_wrong_password_refused_and_counted(people, monkeypatch, capsys):
    monkeypatch.setenv("P03_USER", "root")
    monkeypatch.setenv("P03_PASSWORD", "guess-guess")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--lang", "en", "users", "list"]) == 3
    assert "Wrong user name or password" in capsys.readouterr().err
    assert people.get_user("root")["failed_count"] == 1


def test_no_password_without_a_terminal(people, monkeypatch, capsys):
    monkeypatch.setenv("P03_USER", "root")
    monkeypatch.delenv("P03_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--lang", "en", "users", "list"]) == 3
    assert "set P03_PASSWORD" in capsys.readouterr().err


def test_users_list_json_has_no_hashes(people, monkeypatch, capsys):
    code, out, _ = run(["users", "list", "--json"], monkeypatch, capsys, user="root")
    rows = json.loads(out)
    assert {r["username"]: r["role"] for r in rows} == {"root": "admin", "ed": "editor", "vi": "viewer"}
    assert "argon2" not in out and "password_hash" not in out


def test_set_role_disable_reset_and_audit_cli(people, monkeypatch, capsys):
    assert run(["users", "set-role", "vi", "editor"], monkeypatch, capsys, user="root")[0] == 0
    assert run(["users", "disable", "ed"], monkeypatch, capsys, user="root")[0] == 0
    code, _, err = run(["users", "list"], monkeypatch, capsys, user="ed")
    assert code == 3 and "disabled" in err
    assert run(["users", "reset-password", "vi", "--password-stdin"], monkeypatch, capsys, user="root",
               stdin="brand-new-pass\n")[0] == 0
    code, out, _ = run(["audit", "--json", "--entity", "user"], monkeypatch, capsys, user="root")
    rows = json.loads(out)
    assert [r["action"] for r in rows][:3] == ["user_reset_password", "user_disable", "user_set_role"]
    assert rows[2]["before"]["role"] == "viewer" and rows[2]["after"]["role"] == "editor"
    assert rows[0]["after"]["password"] == "(set)" and "argon2" not in out
    code, out, _ = run(["audit", "--since", "1h", "--action", "user_disable"], monkeypatch, capsys, user="root")
    assert out.count("\n") == 1 and "user:ed" in out and "disabled: false → true" in out
    code, out, _ = run(["audit", "--csv", "--until", "2000-01-01"], monkeypatch, capsys, user="root")
    assert out.strip().lstrip("\ufeff").startswith("id,at,actor")
    assert out.strip().count("\n") == 0
    code, _, err = run(["audit", "--since", "last tuesday"], monkeypatch, capsys, user="root")
    assert code == 2 and "Cannot read the time" in err


def test_password_typed_on_a_terminal_is_not_echoed(data_dir):
    """Real terminal: `users add` prompts twice through getpass; the typed password never shows."""
    env = {**os.environ, "P03_DATA_DIR": str(data_dir), "P03_LANG": "en"}
    env.pop("P03_USER", None)
    env.pop("P03_PASSWORD", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: python -m geo on the pty
        os.chdir(REPO)
        os.execve(sys.executable, [sys.executable, "-m", "geo", "users", "add", "boss", "--role", "admin"], env)
    secret = "typed-secret-987"
    seen = b""
    for _ in range(2):
        seen += _read_until(fd, b":")
        os.write(fd, (secret + "\n").encode())
    seen += _read_until(fd, b"first admin")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, seen
    assert b"New password for boss" in seen and b"Again" in seen
    assert secret.encode() not in seen
    from geo.store import open_store

    assert auth.authenticate(open_store(), "boss", secret).role == "admin"


def _read_until(fd: int, marker: bytes, timeout: float = 60) -> bytes:
    buf, end = b"", time.time() + timeout
    while marker not in buf and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
    return buf


@pytest.mark.slow  # a CLI subprocess
def test_subprocess_password_stdin(data_dir):
    """The documented bootstrap line works as a real process reading stdin."""
    env = {**os.environ, "P03_DATA_DIR": str(data_dir)}
    env.pop("P03_USER", None)
    proc = subprocess.run([sys.executable, "-m", "geo", "users", "add", "first", "--role", "admin",
                           "--password-stdin"], input="piped-pass-123\n", capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    env.update(P03_USER="first", P03_PASSWORD="piped-pass-123")
    proc = subprocess.run([sys.executable, "-m", "geo", "users", "whoami"], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=120)
    assert json.loads(proc.stdout)["role"] == "admin"
