// Numbered stops of a field-visit route, drawn from JSON; every text escaped before it
// reaches the DOM. `map` is the Leaflet map, `stops` [{lat, lon, text, color, tip}].
(function (map, stops) {
  stops.forEach(function (s) {
    var icon = L.divIcon({className: "p03-stop", iconSize: [26, 26], iconAnchor: [13, 13],
      html: "<div style='background:" + esc(s.color) + "'>" + esc(s.text) + "</div>"});
    L.marker([s.lat, s.lon], {icon: icon, zIndexOffset: 1000, keyboard: true, title: s.tip})
      .bindTooltip(esc(s.tip)).addTo(map);
  });
})
