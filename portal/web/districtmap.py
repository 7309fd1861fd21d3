"""A schematic SVG map of Chongqing's 38 districts and counties, built offline.

There are no survey boundaries in the repository, so each district is drawn as its Voronoi cell
around the centroid in ``schemas/vocab/districts.yaml``, clipped to the (widened) convex hull of all
centroids.  The map says so in its caption: it shows where things are, not where borders run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import cache
from html import escape

from markupsafe import Markup

from schemas import load_vocab

Point = tuple[float, float]
WIDTH = 640.0
PAD = 8.0
_LAT0 = math.radians(29.9)


def _project(lon: float, lat: float) -> Point:
    return lon * math.cos(_LAT0), -lat


def _hull(points: Sequence[Point]) -> list[Point]:
    """Andrew's monotone chain, counter-clockwise."""
    pts = sorted(set(points))

    def half(seq: Iterable[Point]) -> list[Point]:
        out: list[Point] = []
        for p in seq:
            while len(out) >= 2 and _cross(out[-2], out[-1], p) <= 0:
                out.pop()
            out.append(p)
        return out

    lower, upper = half(pts), half(reversed(pts))
    return lower[:-1] + upper[:-1]


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _widen(poly: list[Point], margin: float) -> list[Point]:
    cx = sum(p[0] for p in poly) / len(poly)
    cy = sum(p[1] for p in poly) / len(poly)
    out = []
    for x, y in poly:
        d = math.hypot(x - cx, y - cy) or 1.0
        out.append((x + (x - cx) / d * margin, y + (y - cy) / d * margin))
    return out


def _clip(poly: list[Point], site: Point, other: Point) -> list[Point]:
    """Keep the part of ``poly`` nearer to ``site`` than to ``other`` (Sutherland–Hodgman)."""
    mx, my = (site[0] + other[0]) / 2, (site[1] + other[1]) / 2
    nx, ny = other[0] - site[0], other[1] - site[1]

    def inside(p: Point) -> bool:
        return (p[0] - mx) * nx + (p[1] - my) * ny <= 0

    out: list[Point] = []
    for i, cur in enumerate(poly):
        prev = poly[i - 1]
        if inside(cur) != inside(prev):
            out.append(_intersect(prev, cur, (mx, my), (nx, ny)))
        if inside(cur):
            out.append(cur)
    return out


def _intersect(a: Point, b: Point, m: Point, n: Point) -> Point:
    da = (a[0] - m[0]) * n[0] + (a[1] - m[1]) * n[1]
    db = (b[0] - m[0]) * n[0] + (b[1] - m[1]) * n[1]
    t = da / (da - db)
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


@cache
def _cells() -> tuple[dict[str, list[Point]], dict[str, Point], tuple[float, float, float]]:
    """Cell polygons and label points per district code, in SVG units, and the (scale, dx, dy)."""
    entries = [e for e in load_vocab("districts") if e.get("kind") != "city"]
    sites = {e["id"]: _project(e["lon"], e["lat"]) for e in entries}
    boundary = _widen(_hull(list(sites.values())), 0.18)
    cells = {}
    for code, site in sites.items():
        poly = boundary
        for other_code, other in sites.items():
            if other_code != code and poly:
                poly = _clip(poly, site, other)
        cells[code] = poly
    xs = [p[0] for p in boundary]
    ys = [p[1] for p in boundary]
    scale = (WIDTH - 2 * PAD) / (max(xs) - min(xs))
    transform = (scale, PAD - min(xs) * scale, PAD - min(ys) * scale)
    return ({c: [_to_svg(p, transform) for p in poly] for c, poly in cells.items()},
            {c: _to_svg(s, transform) for c, s in sites.items()}, transform)


def _to_svg(p: Point, transform: tuple[float, float, float]) -> Point:
    scale, dx, dy = transform
    return p[0] * scale + dx, p[1] * scale + dy


def lonlat_to_svg(lon: float, lat: float) -> Point:
    return _to_svg(_project(lon, lat), _cells()[2])


def _height() -> float:
    return max(y for poly in _cells()[0].values() for _, y in poly) + PAD


def _path(poly: list[Point]) -> str:
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in poly) + "Z"


def _view(points: Sequence[tuple[float, float, str]], zoom: bool,
          focus: Sequence[tuple[float, float]] = ()) -> tuple[float, float, float, float]:
    """The whole city, or (``zoom``) the surroundings of the points or focus, at least ~60 km across."""
    frame = [lonlat_to_svg(lon, lat) for lon, lat, _ in points] + list(focus)
    if not (zoom and frame):
        return 0.0, 0.0, WIDTH, _height()
    xy = frame
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    size = max(max(xs) - min(xs), max(ys) - min(ys), 90.0) * 1.4
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return cx - size / 2, cy - size / 2 * 0.75, size, size * 0.75


def district_map(names: dict[str, str], *, highlight: Iterable[str] = (),
                 points: Sequence[tuple[float, float, str]] = (), title: str = "",
                 labelled: Iterable[str] = (), zoom: bool = False) -> Markup:
    """The SVG: every district (``highlight``ed ones tinted) and optional labelled points."""
    cells, sites, _ = _cells()
    lit, show = set(highlight), set(labelled)
    focus = [sites[c] for c in lit if c in sites] if zoom and not points else []
    x0, y0, w, h = _view(points, zoom, focus)
    scale = w / WIDTH
    if zoom:
        show = {c for c, (x, y) in sites.items() if x0 <= x <= x0 + w and y0 <= y <= y0 + h}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x0:.1f} {y0:.1f} {w:.1f} {h:.1f}" '
             f'role="img" aria-labelledby="map-title" class="district-map" '
             f'style="--s:{scale:.3f}">',
             f'<title id="map-title">{escape(title)}</title>']
    for code, poly in cells.items():
        css = "district lit" if code in lit else "district"
        parts.append(f'<path class="{css}" stroke-width="{1.2 * scale:.2f}" d="{_path(poly)}"><title>{escape(names.get(code, code))}</title></path>')
    for code in show & set(sites):
        x, y = sites[code]
        parts.append(f'<text class="district-label" x="{x:.1f}" y="{y:.1f}" font-size="{11 * scale:.2f}" '
                     f'stroke-width="{3 * scale:.2f}">{escape(names.get(code, code))}</text>')
    for lon, lat, label in points:
        x, y = lonlat_to_svg(lon, lat)
        parts.append(f'<circle class="station" cx="{x:.1f}" cy="{y:.1f}" r="{5 * scale:.2f}" '
                     f'stroke-width="{1.5 * scale:.2f}"><title>{escape(label)}</title></circle>')
        if label and zoom:
            parts.append(f'<text class="station-label" x="{x + 7 * scale:.1f}" y="{y - 6 * scale:.1f}" '
                         f'font-size="{11 * scale:.2f}" stroke-width="{3 * scale:.2f}">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
