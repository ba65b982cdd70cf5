"""A route as files for a phone or a GPS: GPX 1.1 and KML 2.2, and the files' common name."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from geo import fmt
from geo.i18n import t
from geo.visits.plan import Plan
from geo.visits.timetable import Route, RouteStop


def file_stem(plan: Plan) -> str:
    """The name (without extension) of every file made from ``plan``: ``p03_`` and its date.

    >>> file_stem(Plan(visit_date="2026-11-26")), file_stem(Plan())
    ('p03_2026-11-26', 'p03_visit')
    """
    return "p03_" + (plan.visit_date or "visit")


def _stop_note(s: RouteStop, lang: str) -> str:
    return f"{t('visit_arrive', lang)} {s.arrive:%H:%M} · {fmt.km(s.leg_km, lang)} · #{s.site_id}"


def _title(plan: Plan, lang: str) -> str:
    return plan.name or t("visit_untitled", lang)


def to_gpx(route: Route, lang: str = "vi") -> str:
    """GPX 1.1: a waypoint per stop (and the start) and one route through them in order."""
    import gpxpy.gpx  # imported here: the CLI's other commands need not load it

    gpx = gpxpy.gpx.GPX()
    gpx.name = _title(route.plan, lang)
    gpx.creator = "P03 Map"
    start = route.plan.start
    gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(start.lat, start.lon, name=f"0. {start.label}"))
    rte = gpxpy.gpx.GPXRoute(name=gpx.name)
    rte.points.append(gpxpy.gpx.GPXRoutePoint(start.lat, start.lon, name=start.label))
    for s in route.stops:
        desc = _stop_note(s, lang)
        gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(s.lat, s.lon, name=f"{s.seq}. {s.name}", description=desc))
        rte.points.append(gpxpy.gpx.GPXRoutePoint(s.lat, s.lon, name=f"{s.seq}. {s.name}"))
    if route.plan.return_to_start and route.stops:
        rte.points.append(gpxpy.gpx.GPXRoutePoint(start.lat, start.lon, name=start.label))
    gpx.routes.append(rte)
    return str(gpx.to_xml(version="1.1"))


def to_kml(route: Route, lang: str = "vi") -> str:
    """KML 2.2: a placemark per stop (and the start) and the route as a line."""
    ns = "http://www.opengis.net/kml/2.2"
    ET.register_namespace("", ns)
    root = ET.Element(f"{{{ns}}}kml")
    doc = ET.SubElement(root, f"{{{ns}}}Document")
    ET.SubElement(doc, f"{{{ns}}}name").text = _title(route.plan, lang)
    start = route.plan.start
    _placemark(doc, ns, f"0. {start.label}", "", start.lat, start.lon)
    for s in route.stops:
        desc = _stop_note(s, lang)
        _placemark(doc, ns, f"{s.seq}. {s.name}", desc, s.lat, s.lon)
    line = ET.SubElement(ET.SubElement(doc, f"{{{ns}}}Placemark"), f"{{{ns}}}LineString")
    ET.SubElement(line, f"{{{ns}}}tessellate").text = "1"
    ET.SubElement(line, f"{{{ns}}}coordinates").text = " ".join(f"{lon:.6f},{lat:.6f},0"
                                                                   for lat, lon in route.path())
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _placemark(doc: ET.Element, ns: str, name: str, desc: str, lat: float, lon: float) -> None:
    pm = ET.SubElement(doc, f"{{{ns}}}Placemark")
    ET.SubElement(pm, f"{{{ns}}}name").text = name
    if desc:
        ET.SubElement(pm, f"{{{ns}}}description").text = desc
    ET.SubElement(ET.SubElement(pm, f"{{{ns}}}Point"), f"{{{ns}}}coordinates").text = f"{lon:.6f},{lat:.6f},0"
