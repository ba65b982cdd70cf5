// An upload's points as each candidate coordinate system places them (geo/maps/reference.py), one
// coloured layer per candidate, all in view. `C` is [{label, color, pts: [[lat, lon]], names}].
(function (map, C) {
  var overlays = {}, all = [];
  C.forEach(function (c) {
    var g = L.featureGroup();
    c.pts.forEach(function (p, k) {
      all.push(p);
      L.circleMarker(p, {radius: 7, color: "#fff", weight: 2, fillColor: c.color, fillOpacity: 0.9})
        .bindTooltip(esc(c.names[k]) + "<br><small>" + esc(c.label) + "</small>").addTo(g);
    });
    g.addTo(map);
    overlays["<span style='color:" + c.color + "'>&#9679;</span> " + esc(c.label)] = g;
  });
  L.control.layers(null, overlays, {collapsed: false, position: "bottomleft"}).addTo(map);
  if (all.length) map.fitBounds(L.latLngBounds(all).pad(0.3));
  window.p03crs = {candidates: C.length, points: all.length};
})
