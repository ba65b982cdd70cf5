// The site editor (geo/maps/edit.py, Leaflet-Geoman): the editable layer group `drawnItems` (the
// name streamlit-folium reads), the site's geometry in it with editing on, an undo button, and for a
// new site the draw toolbar. Every change fires Leaflet.draw's `draw:edited` / `draw:created`, the
// events streamlit-folium listens for. `E` is {lang, texts, site, draw, color, undo_label, undo_title}.
(function (map, E) {
  map.pm.setLang(E.lang, E.texts, "en");
  var items = L.featureGroup().addTo(map);
  function editing() { return {allowSelfIntersection: false, removeVertexOn: "click", snappable: false}; }
  window.drawnItems = items;
  map.pm.setGlobalOptions({layerGroup: items, snappable: false, allowSelfIntersection: false,
                           removeVertexOn: "click", pathOptions: {color: E.color, weight: 4}});
  var undo = [];
  function snap(layer) {
    return layer.getLatLng ? layer.getLatLng() : JSON.parse(JSON.stringify(layer.getLatLngs()));
  }
  function editable(layer) {
    layer._p03Last = snap(layer);
    layer.on("pm:edit", function () {
      undo.push([layer, layer._p03Last]); layer._p03Last = snap(layer);
      map.fire("draw:edited", {layer: layer, layers: items});
    });
    layer.pm.enable(editing());
  }
  if (E.site) {
    L.geoJSON(E.site, {style: {color: E.color, weight: 4}}).eachLayer(function (layer) {
      items.addLayer(layer); editable(layer);
    });
    // at once, not animated: the editor opens on the site, and a view set while a zoom is still
    // animating would be dropped by Leaflet (_tryAnimatedZoom returns early)
    map.fitBounds(items.getBounds(), {maxZoom: 17, padding: [20, 20], animate: false});
  }
  if (E.draw) {
    map.pm.addControls({position: "topleft", drawMarker: true, drawPolyline: true, drawPolygon: true,
      drawCircle: false, drawCircleMarker: false, drawRectangle: false, drawText: false,
      editMode: false, dragMode: false, cutPolygon: false, removalMode: false, rotateMode: false});
    map.on("pm:create", function (e) {
      items.eachLayer(function (old) { if (old !== e.layer) { items.removeLayer(old); } });
      undo.length = 0;
      if (!items.hasLayer(e.layer)) { items.addLayer(e.layer); }
      editable(e.layer);
      map.fire("draw:created", {layer: e.layer, layerType: e.shape});
    });
  }
  var Undo = L.Control.extend({
    options: {position: "topright"},
    onAdd: function () {
      var b = L.DomUtil.create("button", "p03-undo leaflet-bar");
      b.type = "button"; b.textContent = E.undo_label; b.title = E.undo_title;
      L.DomEvent.disableClickPropagation(b);
      L.DomEvent.on(b, "click", function () {
        var last = undo.pop(); if (!last) { return; }
        var layer = last[0];
        layer.pm.disable();
        if (layer.getLatLng) { layer.setLatLng(last[1]); } else { layer.setLatLngs(last[1]); }
        layer._p03Last = snap(layer);
        layer.pm.enable(editing());
        map.fire("draw:edited", {layer: layer, layers: items});
      });
      return b;
    }
  });
  new Undo().addTo(map);
})
