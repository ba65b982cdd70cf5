// The base map frame: Leaflet's own attribution prefix, then the lines of the data shown (the
// basemap's comes with its tile layer). `F` is {prefix, lines}; the lines are escaped here.
(function (map, F) {
  map.attributionControl.setPrefix(F.prefix);
  F.lines.forEach(function (a) { map.attributionControl.addAttribution(esc(a)); });
})
