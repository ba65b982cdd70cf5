"""GDAL locked down for hostile uploads, process-wide.

GDAL opens a file with whichever of its ~60 vector drivers recognises the content, whatever the
file's name. Some of those drivers follow references: a GDAL VRT (XML) names another data source
— any path the server can read, or a URL — and GDAL opens it; WFS/OAPIF/Carto... fetch URLs;
``/vsicurl/`` and the cloud file systems turn a path into a network request. An uploaded
``.shp`` or ``.gpkg`` holding VRT XML could therefore read the server's files or reach its network.

:func:`harden` (idempotent, called before any upload touches GDAL) closes that once for the whole
process, whoever imported pyogrio first:

* every driver except :data:`KEEP` is deregistered (VRT, OGR_VRT, GDALG, every network and
  database driver), so no upload can be read by them whatever its bytes;
* the network virtual file systems (``/vsicurl/``, ``/vsis3/``, ``/vsigs/``, ``/vsiaz/``...) are
  removed, and the HTTP settings left in GDAL are set to refuse (:data:`CONFIG`);
* PROJ's network access (grids from the CDN) is off in GDAL's PROJ and in pyproj's.

Upload readers additionally check each file's magic bytes (:mod:`geo.ingest.sniff`) before GDAL
sees it, so that a file is only ever opened by the driver of its format.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from pathlib import Path

from geo.errors import GDALUnsafe

#: the only GDAL drivers left registered: what uploads (Shapefile, GeoPackage) and exports (KML,
#: GeoPackage, GeoJSON, in-memory files) need. None of them follows a path or URL found in a file.
KEEP = frozenset({"ESRI Shapefile", "GPKG", "GeoJSON", "GeoJSONSeq", "KML", "FlatGeobuf", "CSV", "MEM", "Memory"})

#: parts of virtual file system prefixes that reach the network
NETWORK_FS = ("curl", "s3", "/vsigs", "/vsiaz", "/vsiadls", "/vsioss", "/vsiswift", "hdfs", "/vsistdin")

#: GDAL configuration set process-wide (documented in docs/threat-model.md)
CONFIG: dict[str, str] = {
    "GDAL_SKIP": "VRT OGR_VRT GDALG GTI WFS OAPIF OGCAPI HTTP CSW NGW Carto Elasticsearch EEDA PLSCENES AmigoCloud",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".p03-network-disabled",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_ENABLE_ALTERNATE_SCHEMES": "NO",
    "CPL_VSIL_CURL_USE_HEAD": "NO",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    "OGR_SQLITE_LOAD_EXTENSIONS": "",
    "CPL_ALLOW_VSISTDIN": "NO",
    "PROJ_NETWORK": "OFF",
}

_LOCK = threading.Lock()
_STATE: dict[str, object] = {"done": False, "removed": (), "filesystems": ()}


def _libgdal() -> ctypes.CDLL:
    """The GDAL library pyogrio loaded (the same handle: dlopen of a loaded path returns it)."""
    import pyogrio  # noqa: F401 - loads the library

    maps = Path("/proc/self/maps")
    if maps.exists():
        for line in maps.read_text().splitlines():
            path = line.split()[-1] if line.split() else ""
            if "libgdal" in Path(path).name and path.startswith("/"):
                return ctypes.CDLL(path)
    name = ctypes.util.find_library("gdal")
    if not name:
        raise GDALUnsafe("libgdal not found")
    return ctypes.CDLL(name)


def _deregister(lib: ctypes.CDLL) -> list[str]:
    lib.GDALGetDriverCount.restype = ctypes.c_int
    lib.GDALGetDriver.restype = ctypes.c_void_p
    lib.GDALGetDriver.argtypes = [ctypes.c_int]
    lib.GDALGetDriverShortName.restype = ctypes.c_char_p
    lib.GDALGetDriverShortName.argtypes = [ctypes.c_void_p]
    lib.GDALDeregisterDriver.argtypes = [ctypes.c_void_p]
    drop = []
    for i in range(lib.GDALGetDriverCount()):
        handle = lib.GDALGetDriver(i)
        name = lib.GDALGetDriverShortName(handle).decode()
        if name not in KEEP:
            drop.append((name, handle))
    for _, handle in drop:
        lib.GDALDeregisterDriver(handle)
    return [name for name, _ in drop]


def _remove_network_fs(lib: ctypes.CDLL) -> list[str]:
    lib.VSIGetFileSystemsPrefixes.restype = ctypes.POINTER(ctypes.c_char_p)
    lib.VSIRemovePluginHandler.argtypes = [ctypes.c_char_p]
    lib.VSIRemovePluginHandler.restype = ctypes.c_int
    prefixes = lib.VSIGetFileSystemsPrefixes()
    names = []
    i = 0
    while prefixes and prefixes[i]:
        names.append(prefixes[i].decode())
        i += 1
    removed = [p for p in names if any(part in p for part in NETWORK_FS)]
    for p in removed:
        lib.VSIRemovePluginHandler(p.encode())
    return removed


def harden() -> None:
    """Lock GDAL down for this process (idempotent, thread-safe).

    Raises
    ------
    GDALUnsafe
        When GDAL's library cannot be found to lock it down.
    """
    with _LOCK:
        if _STATE["done"]:
            return
        for key in ("PROJ_NETWORK", "CPL_ALLOW_VSISTDIN"):
            os.environ[key] = CONFIG[key]
        import pyogrio
        import pyproj.network

        pyogrio.set_gdal_config_options(dict(CONFIG))
        lib = _libgdal()
        _STATE["removed"] = tuple(_deregister(lib))
        _STATE["filesystems"] = tuple(_remove_network_fs(lib))
        lib.OSRSetPROJEnableNetwork.argtypes = [ctypes.c_int]
        lib.OSRSetPROJEnableNetwork(0)
        pyproj.network.set_network_enabled(active=False)  # type: ignore[attr-defined]  # public API, not in pyproj.network's __all__
        _STATE["done"] = True


def status() -> dict[str, object]:
    """What :func:`harden` did: ``done``, the ``removed`` drivers and network ``filesystems``."""
    return dict(_STATE)
