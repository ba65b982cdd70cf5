"""The OpenStreetMap reference layers on the district map: the project's payload (one script,
coordinates rounded, lake outlines simplified to ~2 m, cached per language) against the naive
way, one ``folium.GeoJson`` per layer with a tooltip of the raw files, rendered to HTML."""

from __future__ import annotations

import folium

from benchmarks.upload import _median
from geo import reference
from geo.maps import reference as render_reference


def bench_reference(repeat: int = 3) -> dict[str, float]:
    """``reference_payload_s`` (cold build), ``reference_payload_bytes``, the naive folium figures and
    ratios; empty when no reference layers are installed."""
    ref = reference.get()
    if ref is None:
        return {}

    def project() -> str:
        render_reference._layers_text.cache_clear()
        return render_reference.payload_text(ref, "vi")

    def naive() -> str:
        m = folium.Map(tiles=None)
        for layer in reference.LAYERS:
            gdf = ref.layer(layer.key)[["name", "geometry"]]
            folium.GeoJson(gdf, name=layer.key, show=False, tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
        folium.LayerControl().add_to(m)
        return m.get_root().render()

    ours_s, naive_s = _median(project, repeat), _median(naive, repeat)
    ours_b, naive_b = len(project().encode()), len(naive().encode())
    return {"reference_payload_s": ours_s, "reference_payload_bytes": float(ours_b),
            "reference_naive_folium_s": naive_s, "reference_naive_folium_bytes": float(naive_b),
            "ratio_reference_payload_s": naive_s / ours_s, "ratio_reference_payload_bytes": naive_b / ours_b}


if __name__ == "__main__":
    for name, value in bench_reference().items():
        print(f"BENCH {name} {value:.4f}")
