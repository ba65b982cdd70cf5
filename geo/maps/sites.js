// The site map, drawn from compact JSON (geo/maps/sites.py builds it). Two parts, so that a filter
// change in the app replaces only the sites (streamlit-folium's `feature_group_to_add` removes the
// previous group and runs the new group's script in the same map) while the map, its tiles and
// the boundary outlines stay:
//   p03Map.base(map, B)                 boundaries and the first view (once per map; the frame,
//                                       geo/maps/base.py, sets the attribution)
//   p03Map.sites(map, parent, D, view)  the sites, clustered, into `parent` (a feature group);
//                                       the legend; window.p03 = {points, shapes, count}
// Every user-supplied string is escaped here before it becomes HTML.
window.p03Map = window.p03Map || (function () {
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"'`=\\/]/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";";
    });
  }
  function sameView(a, b) { return !!a && !!b && JSON.stringify(a) === JSON.stringify(b); }

  // boundaries: every unit faint, the chosen one highlighted; not clickable. Returns a function that
  // takes them off the map again (the in-page map draws another unit's over the same map).
  function base(map, B) {
    var drawn = [];
    if (B.units) drawn.push(L.geoJSON(B.units, {interactive: false, style: {color: "#555", weight: 1,
        opacity: 0.6, fill: false, dashArray: "3"}}).addTo(map));
    if (B.focus) drawn.push(L.geoJSON(B.focus, {interactive: false, style: {color: B.highlight, weight: 3,
        fillColor: B.highlight, fillOpacity: 0.06}}).addTo(map));
    map.p03names = {districts: B.districts, communes: B.communes};
    map.p03view = B.view;
    map.fitBounds(B.view, {animate: false});
    return function () { drawn.forEach(function (l) { map.removeLayer(l); }); };
  }

  function sites(map, parent, D, view) {
    var n = D.ids.length;
    function names0() { return map.p03names || {districts: {}, communes: {}}; }  // set by base()
    // a new fit only when the sites' view is not the one shown (a filter keeps a unit's view)
    if (!sameView(view, map.p03view)) { map.fitBounds(view, {animate: false}); map.p03view = view; }
    function names(table, codes) {
      if (!codes) return "";
      return codes.split(";").map(function (c) { return table[c] || c; }).join(", ");
    }
    function tip(i) {
      var c = D.cats[D.cat[i]];
      return (D.names ? "<b>" + esc(D.names[i]) + "</b><br>" : "") +
        "<small>" + esc(c.label) + " · #" + esc(D.ids[i]) + "</small>";
    }
    function popup(i) {
      var rows = [[D.labels.category, D.cats[D.cat[i]].label], [D.labels.status, D.sts[D.st[i]].label],
                  [D.labels.district, names(names0().districts, D.dcodes[D.dist[i]])],
                  [D.labels.commune, names(names0().communes, D.ccodes[D.comm[i]])]];
      D.extra.forEach(function (e) {
        var v = D.x[e[0]][i];
        if (v !== null && v !== "" && v !== undefined) rows.push([e[1], e[2] ? Number(v).toLocaleString("vi-VN") : v]);
      });
      var html = "<div class='p03-popup'>" + (D.names ? "<h4>" + esc(D.names[i]) + "</h4>" : "") + "<table>";
      rows.forEach(function (r) { html += "<tr><th>" + esc(r[0]) + "</th><td>" + esc(r[1]) + "</td></tr>"; });
      html += "<tr><th>" + esc(D.labels.id) + "</th><td>" + esc(D.ids[i]) + "</td></tr></table></div>";
      return html;
    }
    var icons = D.cats.map(function (c) {
      return L.divIcon({className: "p03-pin", iconSize: [24, 24], iconAnchor: [12, 12],
        html: "<span style='background:" + c.color + "'>" + esc(c.glyph) + "</span>"});
    });
    var P = D.pts, np = P.lat.length, lat = new Float64Array(np), lon = new Float64Array(np);
    for (var k = 0; k < np; k++) {
      lat[k] = (P.lat[k] + P.lat0) / P.scale;
      lon[k] = (P.lon[k] + P.lon0) / P.scale;
    }
    function marker(k) {
      var i = P.i ? P.i[k] : k;
      return L.marker([lat[k], lon[k]], {icon: icons[D.cat[i]], title: D.names ? D.names[i] : D.ids[i], i: i});
    }
    function popupOf(i) { return function () { return popup(i); }; }

    // up to gridMin points: Leaflet.markercluster (animated, spiderfies at the last zoom)
    function markerClusters() {
      var g = L.markerClusterGroup({chunkedLoading: true, maxClusterRadius: 45, showCoverageOnHover: false,
          disableClusteringAtZoom: D.clusterMax, spiderfyOnMaxZoom: true});
      var markers = new Array(np);
      for (var k = 0; k < np; k++) markers[k] = marker(k);
      g.addLayers(markers);
      return g;
    }
    // above: Supercluster (a KD-tree per zoom, built once in the browser); only the clusters and
    // single markers in view exist as Leaflet layers, recomputed on every move
    function superClusters() {
      if (typeof Supercluster === "undefined") return markerClusters();
      var g = L.featureGroup(), singles = {}, feats = new Array(np);
      for (var k = 0; k < np; k++) {
        feats[k] = {type: "Feature", properties: {k: k}, geometry: {type: "Point", coordinates: [lon[k], lat[k]]}};
      }
      // no level below the map's own least zoom (levels it never shows: a quarter of the build)
      var index = new Supercluster({radius: 60, minZoom: Math.max(0, Math.floor(map.getMinZoom())),
                                    maxZoom: D.clusterMax - 1}).load(feats);
      function single(k) { return singles[k] || (singles[k] = marker(k)); }
      function cluster(f) {
        var c = f.properties.point_count, cls = c < 10 ? "small" : c < 100 ? "medium" : "large";
        var m = L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {icon: L.divIcon({
            html: "<div><span>" + c + "</span></div>", className: "marker-cluster marker-cluster-" + cls,
            iconSize: [40, 40]})});
        m.p03cluster = f.properties.cluster_id;
        return m;
      }
      function draw() {
        var b = map.getBounds().pad(0.2);
        var found = index.getClusters([Math.max(b.getWest(), -180), Math.max(b.getSouth(), -85),
                                       Math.min(b.getEast(), 180), Math.min(b.getNorth(), 85)],
                                      Math.floor(map.getZoom()));
        // markers still in view stay (an open popup or tooltip with them); the rest are replaced
        var next = found.map(function (f) { return f.properties.cluster ? cluster(f) : single(f.properties.k); });
        var keep = {};
        next.forEach(function (l) { keep[L.stamp(l)] = true; });
        g.eachLayer(function (l) { if (!keep[L.stamp(l)]) g.removeLayer(l); });
        next.forEach(function (l) { if (!g.hasLayer(l)) g.addLayer(l); });
      }
      g.on("click", function (e) {
        var m = e.propagatedFrom || e.layer;
        if (m && m.p03cluster !== undefined) {
          map.setView(m.getLatLng(), Math.min(index.getClusterExpansionZoom(m.p03cluster), D.clusterMax));
        }
      });
      g.on("add", function () { map.on("moveend", draw); draw(); });
      g.on("remove", function () { map.off("moveend", draw); });
      return g;
    }
    var group = np > D.gridMin ? superClusters() : markerClusters();
    // tooltips and popups are bound when a marker is first pointed at, tapped or clicked: "preclick"
    // comes before any click handler, so the page's click handler always finds the tooltip (#id)
    function bind(e) {
      var m = e.propagatedFrom || e.layer;
      if (!m || m.options.i === undefined || m.getTooltip()) return false;
      m.bindTooltip(tip(m.options.i));
      m.bindPopup(popupOf(m.options.i), {maxWidth: 320});
      return m;
    }
    group.on("preclick", bind);
    group.on("mouseover", function (e) { var m = bind(e); if (m) m.openTooltip(); });
    group.on("click", function (e) { var m = bind(e); if (m) m.openPopup(); });  // keyboard: Enter

    var shapes = L.geoJSON({type: "FeatureCollection", features: D.shp.g.map(function (g, k) {
      return {type: "Feature", properties: {i: D.shp.i[k]}, geometry: g};
    })}, {
      style: function (f) {
        var c = D.cats[D.cat[f.properties.i]];
        var line = f.geometry.type.indexOf("Line") >= 0;
        return {color: c.color, weight: line ? 5 : 2, opacity: 0.9, fillColor: c.color, fillOpacity: 0.25};
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(tip(f.properties.i), {sticky: true});
        layer.bindPopup(popupOf(f.properties.i), {maxWidth: 320});
      }
    });
    shapes.addTo(parent);
    group.addTo(parent);
    legend(map, D);
    window.p03 = {points: group, shapes: shapes, count: n};
    return group;
  }

  // the categories shown, top right; the previous sites' legend goes with them
  function legend(map, D) {
    if (map.p03legend) map.removeControl(map.p03legend);
    map.p03legend = null;
    if (!D.legend.length) return;
    var control = L.control({position: "topright"});
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "p03-legend");
      var open = map.getSize().x >= 600 ? " open" : "";
      var html = "<details" + open + "><summary>" + esc(D.labels.legend) + "</summary>";
      D.legend.forEach(function (i) {
        var c = D.cats[i];
        html += "<i style='background:" + c.color + "'>" + esc(c.glyph) + "</i>" + esc(c.label) + "<br>";
      });
      div.innerHTML = html + "</details>";
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    control.addTo(map);
    map.p03legend = control;
  }

  return {base: base, sites: sites, esc: esc};
})();
