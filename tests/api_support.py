"""The OGC API under test: a real service process and GDAL's OAPIF driver as the real client.

- :func:`start_api` starts ``python -m geo api`` on a free 127.0.0.1 port with the test's settings
  and waits until its landing page answers (polling, no fixed sleep).
- :func:`oapif_read` reads a collection through GDAL's OAPIF driver (pyogrio) **in a child
  process**: the app locks GDAL down process-wide for uploads (network drivers deregistered,
  ``geo.gdal_guard``), so the client never shares a process with the app's code under test.
"""

from __future__ import annotations

import json
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

_CLIENT = r"""
import json, pickle, sys
import pyogrio
args = json.loads(sys.argv[1])
if "bbox" in args["options"]:
    args["options"]["bbox"] = tuple(args["options"]["bbox"])
if args["config"]:
    pyogrio.set_gdal_config_options(args["config"])
try:
    df = pyogrio.read_dataframe("OAPIF:" + args["url"], **args["options"])
    out = {"ok": True, "frame": df.to_wkb()}
except Exception as exc:  # the test asserts on the message
    out = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
with open(args["out"], "wb") as fh:
    pickle.dump(out, fh)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    """Poll ``url`` until it answers (any HTTP status), failing early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the API process exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - 127.0.0.1 only
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)  # polling interval, not a wait for readiness
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@contextmanager
def start_api(env: dict[str, str] | None = None) -> Iterator[str]:
    """A running API (the current settings plus ``env``); yields its base URL."""
    port = free_port()
    full = {**os.environ, **(env or {}), "P03_API_PORT": str(port), "P03_API_URL": ""}
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "geo", "api", "--port", str(port)], cwd=REPO, env=full,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url + "/conformance", proc)
        yield url
    except BaseException:
        log.seek(0)
        sys.stderr.write(log.read().decode("utf-8", "replace")[-4000:])
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def oapif_read(url: str, options: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
    """A GeoDataFrame read by GDAL's OAPIF driver from ``url`` (landing page or collection),
    sending ``headers`` with every request (GDAL_HTTP_HEADER_FILE, as a client would).

    Raises RuntimeError with GDAL's message when the read fails."""
    import geopandas as gpd
    import shapely

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.pickle"
        config = {}
        if headers:
            (Path(tmp) / "headers.txt").write_text("".join(f"{k}: {v}\n" for k, v in headers.items()))
            config["GDAL_HTTP_HEADER_FILE"] = str(Path(tmp) / "headers.txt")
        args = {"url": url, "options": options or {}, "config": config, "out": str(out)}
        env = {k: v for k, v in os.environ.items() if k not in ("GDAL_SKIP", "CPL_VSIL_CURL_ALLOWED_EXTENSIONS")}
        subprocess.run([sys.executable, "-c", _CLIENT, json.dumps(args)], check=True, cwd=REPO, timeout=600, env=env)
        with open(out, "rb") as fh:
            result = pickle.load(fh)  # noqa: S301 - written by our own child process
    if not result["ok"]:
        raise RuntimeError(result["error"])
    df = result["frame"]
    geom = df.geometry.name if hasattr(df, "geometry") else "geometry"
    return gpd.GeoDataFrame(df.drop(columns=geom), geometry=shapely.from_wkb(df[geom].to_numpy()), crs=4326)


def get_json(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """(status, parsed JSON body) of a GET."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - 127.0.0.1 only
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")
