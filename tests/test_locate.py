"""``geo.locate`` (the CLI's import-light point lookup) gives exactly ``geo.boundaries.where``'s
answer on the real layers: on a grid over the whole city, at points just inside communes, on
district and commune boundary vertices (where the plain case does not hold and it hands over), in
the 2025 layer's edge tolerance and outside Hanoi; and the ``where`` command does not import
geopandas."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import shapely

from geo import boundaries, locate
from geo.errors import OutsideHanoi
from tests.test_foundation import REPO


def answer(fn, lat, lon, *args):
    try:
        return fn(lat, lon, *args)
    except OutsideHanoi as exc:
        return ("outside", exc.message("en"))


def test_same_answer_as_boundaries_everywhere(bounds, boundaries_dir):
    xmin, ymin, xmax, ymax = bounds.city.total_bounds
    grid = [(lat, lon) for lat in np.linspace(ymin - 0.02, ymax + 0.02, 9)
            for lon in np.linspace(xmin - 0.02, xmax + 0.02, 7)]
    inside = [(p.y, p.x) for p in bounds.communes.geometry.representative_point().iloc[::2]]
    # vertices of district and commune outlines: on a boundary line, a point is inside neither side
    vertices = [(y, x) for layer in (bounds.districts, bounds.communes)
                for geom in layer.geometry.iloc[::9] for x, y in shapely.get_coordinates(geom)[::97][:3]]
    points = grid + inside + vertices
    for lat, lon in points:
        expected = answer(boundaries.where, lat, lon, bounds)
        assert answer(locate.where, lat, lon, boundaries_dir) == expected, (lat, lon)
    outside = sum(isinstance(answer(boundaries.where, la, lo, bounds), tuple) for la, lo in points)
    assert 0 < outside < len(points)  # both kinds of answer were compared


def test_where_command_does_not_import_geopandas(data_dir):
    code = ("import sys; from geo.cli import main; rc = main(['where', '21.0288', '105.8525']);"
            " print('geopandas' in sys.modules, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "False False", out.stdout
    assert "Phường Hoàn Kiếm" in out.stdout


@pytest.mark.parametrize("lat, lon", [(21.0288, 105.8525), (10.7769, 106.7009)])
def test_missing_boundaries_is_the_same_error(tmp_path, lat, lon):
    from geo.errors import BoundariesMissing

    with pytest.raises(BoundariesMissing):
        locate.where(lat, lon, tmp_path)
