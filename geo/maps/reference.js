// The OpenStreetMap reference layers (geo/maps/reference.py): one GeoJSON layer per reference layer
// (circles for points, outlines for lakes), listed in a layer control and off by default (the
// reader's choice is remembered in the browser), each with its attribution; features a name search
// found are drawn highlighted on top. `R` is {layers: [{key, label, color, fc}], found, attribution,
// show, found_color, url}; without `fc` the features are fetched from `url` (every layer's at once:
// [{key, fc}]) when a layer is first turned on. Names are escaped here. Returns a function that
// removes all of it again.
(function (map, R) {
  var saved = [];
  try { saved = JSON.parse(window.localStorage.getItem("p03ref") || "[]"); } catch (e) { saved = []; }
  var overlays = {}, groups = {};
  function layerOf(l, fc, strong) {
    return L.geoJSON(fc, {attribution: esc(R.attribution),
      pointToLayer: function (f, ll) {
        return L.circleMarker(ll, {radius: strong ? 8 : 5, color: strong ? "#000" : l.color, weight: strong ? 2 : 1,
                                   fillColor: l.color, fillOpacity: 0.7});
      },
      style: function () { return {color: l.color, weight: strong ? 3 : 1, fillColor: l.color,
                                   fillOpacity: strong ? 0.4 : 0.25}; },
      onEachFeature: function (f, layer) {
        if (f.properties.n) layer.bindTooltip(esc(f.properties.n) + "<br><small>" + esc(l.label) + "</small>");
      }});
  }
  var fetched = null;
  function fetchAll() {  // once, when a layer without its features is first on the map
    if (fetched || !R.url) return;
    fetched = fetch(R.url, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) throw new Error(R.url + ": " + r.status);
      return r.json();
    }).then(function (all) {
      all.forEach(function (l) { if (groups[l.key]) groups[l.key].addData(l.fc); });
      window.p03ref.loaded = true;
    });
  }
  R.layers.forEach(function (l) {
    var g = layerOf(l, l.fc || null, false);
    if (!l.fc) g.on("add", fetchAll);
    g.p03key = l.key;
    groups[l.key] = g;
    overlays["<span style='color:" + l.color + "'>&#9679;</span> " + esc(l.label)] = g;
    if (R.show || saved.indexOf(l.key) >= 0) g.addTo(map);
  });
  var control = L.control.layers(null, overlays, {collapsed: map.getSize().x < 600, position: "topleft"}).addTo(map);
  function remember() {
    var on = Object.keys(groups).filter(function (k) { return map.hasLayer(groups[k]); });
    try { window.localStorage.setItem("p03ref", JSON.stringify(on)); } catch (e) { /* private mode */ }
  }
  if (!R.show) map.on("overlayadd overlayremove", remember);
  var found = R.found ? layerOf({color: R.found_color, label: ""}, R.found, true).addTo(map) : null;
  window.p03ref = {groups: groups, found: R.found ? R.found.features.length : 0, loaded: !R.url};
  // takes every layer, the control and the listener off the map (the in-page map draws them again)
  return function () {
    map.off("overlayadd overlayremove", remember);
    Object.keys(groups).forEach(function (k) { map.removeLayer(groups[k]); });
    if (found) map.removeLayer(found);
    control.remove();
  };
})
