"""Writes hostile_sites.geojson: Programme 03-like sites in Hoàn Kiếm whose names, notes and
responsible units carry HTML/JS payloads. Every payload, if it ever ran, would set
``window.__pwned`` (or the parent's/top's) and most would also open a dialog.

Run: python tests/data/xss/make_hostile_sites.py (from the repository root).
"""

from __future__ import annotations

import json
from pathlib import Path

P = "window.__pwned"
PAYLOADS = [
    f"<script>{P}=1;alert(1)</script>",
    f"<img src=x onerror=\"{P}=2;alert(2)\">",
    f"<svg onload=\"{P}=3;alert(3)\"></svg>",
    f"<svg><script>{P}=4;alert(4)</script></svg>",
    f"<a href=\"javascript:{P}=5;alert(5)\">Chợ Đồng Xuân</a>",
    f"\"><img src=x onerror={P}=6;alert(6)>",
    f"'><img src=x onerror={P}=7;alert(7)>",
    f"`><img src=x onerror={P}=8;alert(8)>",
    f"</script><script>{P}=9;alert(9)</script>",
    f"<!--<script>{P}=10</script>--><img src=x onerror={P}=10>",
    "<iframe src=\"javascript:parent.__pwned=11;alert(11)\"></iframe>",
    "<iframe srcdoc=\"<script>parent.__pwned=12;alert(12)</script>\"></iframe>",
    f"<details open ontoggle=\"{P}=13;alert(13)\"><summary>x</summary></details>",
    f"<math><mtext><table><mglyph><style><img src=x onerror={P}=14>",
    f"<object data=\"javascript:{P}=15;alert(15)\"></object>",
    f"<input autofocus onfocus=\"{P}=16;alert(16)\">",
    f"Vườn hoa\u2028{P}=17;alert(17)\u2029Lý Thái Tổ",
    f"\u202Egpj.exe<img src=x onerror={P}=18>\u202C Phố đi bộ",
    "{{constructor.constructor('" + P + "=19;alert(19)')()}}",
    "${" + P + "=20}${alert(20)}",
    f"\\\";{P}=21;alert(21);//",
    f"<video><source onerror=\"{P}=22;alert(22)\"></video>",
    f"javascript:{P}=23;alert(23)",
    f"[bấm vào đây](javascript:{P}=24;alert(24)) ![x](http://evil.p03.test/beacon.png)",
    f"&lt;script&gt;{P}=25&lt;/script&gt; &amp;lt;b&amp;gt;",
    f"<a href=\"&#106;avascript:{P}=26\">entity</a>",
    f"<form><button formaction=javascript:{P}=27>x</button></form>",
    f"<meta http-equiv=\"refresh\" content=\"0;url=javascript:{P}=28\">",
    f"<noscript><p title=\"</noscript><img src=x onerror={P}=29>\">",
    f"<scr\u200bipt>{P}=30</scr\u200bipt><b onmouseover={P}=30>hover</b>",
    f"<style>*{{background:url('javascript:{P}=31')}}</style>",
    f"<base href=\"javascript:{P}=32//\"><a href=\"x\">base</a>",
]
CATEGORIES = ["market", "park", "pedestrian", "old_villa", "supermarket", "wastewater", "old_apartment", "other"]


def feature(i: int, geometry: dict) -> dict:
    n = len(PAYLOADS)
    return {"type": "Feature", "geometry": geometry, "properties": {
        "id": f"xss-{i + 1:02d}", "name": PAYLOADS[i], "category": CATEGORIES[i % len(CATEGORIES)],
        "status": "planned", "notes": PAYLOADS[(i + 1) % n], "responsible_unit": PAYLOADS[(i + 2) % n]}}


def main() -> None:
    features = []
    for i in range(len(PAYLOADS)):
        lon = round(105.8480 + (i % 6) * 0.0017, 6)
        lat = round(21.0255 + (i // 6) * 0.0013, 6)
        if i % 11 == 10:  # a few lines and polygons: drawn by the GeoJSON layer, not the marker group
            geom = {"type": "LineString", "coordinates": [[lon, lat], [lon + 0.0008, lat + 0.0004]]}
        elif i % 11 == 5:
            d = 0.0003
            geom = {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d],
                                                        [lon, lat]]]}
        else:
            geom = {"type": "Point", "coordinates": [lon, lat]}
        features.append(feature(i, geom))
    doc = {"type": "FeatureCollection", "features": features}
    out = Path(__file__).with_name("hostile_sites.geojson")
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(features)} features -> {out}")


if __name__ == "__main__":
    main()
