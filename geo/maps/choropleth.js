// The units of a choropleth as one GeoJSON layer (geo/maps/choropleth.py): fill from each
// feature's `color`, a tooltip with the unit and its value, a highlight on hover, a legend, a
// button zooming to the urban districts (where every unit carries its value as a label), and a
// click opening the unit's page. `D` is {data, title, legend, link, inner, city, highlight,
// outline}; its texts (labels, value texts, legend) are escaped in Python.
(function (map, D) {
  // open a unit's page: through a link in the app's own document (the map lives in a sandboxed
  // iframe that may not navigate the page itself), else in a new tab
  function go(url) {
    try {
      var doc = window.parent.document, a = doc.createElement("a");
      a.href = url; a.target = "_self"; doc.body.appendChild(a); a.click(); a.remove();
    } catch (err) { window.open(url, "_blank"); }
  }
  function base(f) {
    return {fillColor: f.properties.color, color: D.outline, weight: 1, opacity: 0.9, fillOpacity: 0.75};
  }
  var layer = L.geoJSON(D.data, {
    style: base,
    onEachFeature: function (f, l) {
      l.bindTooltip("<b>" + f.properties.label + "</b><br>" + D.title + ": " + f.properties.value_text,
                    {sticky: true});
      l.on("mouseover", function (e) { e.target.setStyle({weight: 3, color: D.highlight}); e.target.bringToFront(); });
      l.on("mouseout", function (e) { e.target.setStyle(base(f)); });
      if (D.link) l.on("click", function () { go(D.link.replace("{code}", encodeURIComponent(f.properties.code))); });
    }
  }).addTo(map);
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "p03-choro-legend");
    div.innerHTML = D.legend;
    return div;
  };
  legend.addTo(map);
  // the 12 urban districts are small at city scale: a button zooms to them (and back), and at that
  // zoom every unit carries its value as a label
  if (D.inner) {
    var zoom = L.control({position: "topleft"});
    zoom.onAdd = function () {
      var div = L.DomUtil.create("div", "leaflet-bar p03-inner-zoom"), inner = true;
      var a = L.DomUtil.create("a", "", div);
      a.href = "#"; a.setAttribute("role", "button"); a.title = D.inner.label_in;
      a.textContent = D.inner.label_in;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.on(a, "click", function (e) {
        L.DomEvent.preventDefault(e);
        map.fitBounds(inner ? D.inner.bounds : D.city);
        a.textContent = a.title = inner ? D.inner.label_out : D.inner.label_in;
        inner = !inner;
      });
      return div;
    };
    zoom.addTo(map);
  }
  function labels() {
    var on = map.getZoom() >= 11.5;
    layer.eachLayer(function (l) {
      if (on && !l.p03label) {
        l.p03label = L.tooltip({permanent: true, direction: "center", className: "p03-unit-label", opacity: 0.85})
          .setContent(l.feature.properties.value_text).setLatLng(l.getBounds().getCenter());
        map.addLayer(l.p03label);
      } else if (!on && l.p03label) { map.removeLayer(l.p03label); l.p03label = null; }
    });
  }
  map.on("zoomend", labels);
  window.p03choro = {layer: layer, count: D.data.features.length};
})
