"""Transitional: :func:`geo.render.site_map` still imports ``geo.render_reference`` by this name
(geo/render.py is being restructured in another branch). The reference layers live in
:mod:`geo.maps.reference`; delete this file when geo/render.py imports that module."""

from __future__ import annotations

from geo.maps.reference import add_to

__all__ = ["add_to"]
