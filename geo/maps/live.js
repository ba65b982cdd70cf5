// The district map drawn in the page itself (an st.components.v2 element, no iframe): Leaflet and
// its plugins are loaded once per page from the app's own copies, the map is made once per element
// and kept, and each run's data updates only what changed (geo/maps/live.py builds it):
//   D.frame  {tiles, tilesAttribution, maxZoom, minZoom, prefix, lines}  the base map (once)
//   D.base   p03Map.base's payload (boundaries, focus, names, first view), drawn again when its key changes
//   D.ref    reference.js's payload (the OSM layers, the search hits) or null, drawn again when its key changes
//   D.sites  p03Map.sites's payload, with D.view; a filter swaps only this layer
// (D arrives as UTF-8 JSON bytes, see decoded() below)
// A click on a site reports its id (state "clicked"). Before this text, geo/maps/live.py places
// common.js (esc), frame.js as `drawFrame`, reference.js as `drawReference`, and sites.js (p03Map).

function newMap(box, F, view) {
  // Leaflet focuses its container on every press (for the keyboard) and then restores the window's
  // scroll; Streamlit scrolls its main pane instead, which the focus would jump to the map
  box.focus = function () { HTMLElement.prototype.focus.call(box, {preventScroll: true}); };
  var map = L.map(box, {preferCanvas: true, maxZoom: F.maxZoom, minZoom: F.minZoom, zoomControl: true});
  map.fitBounds(view, {animate: false});  // a map with a view adds its layers at once
  if (F.tiles) L.tileLayer(F.tiles, {attribution: F.tilesAttribution, maxZoom: F.maxZoom}).addTo(map);
  L.control.scale().addTo(map);
  drawFrame(map, {prefix: F.prefix, lines: F.lines});
  map.p03lines = F.lines;
  return map;
}

// the data's attribution lines follow the layer shown (the 2025 communes add their crosswalk's)
function attribution(map, lines) {
  if (JSON.stringify(lines) === JSON.stringify(map.p03lines)) return;
  map.p03lines.forEach(function (a) { map.attributionControl.removeAttribution(esc(a)); });
  lines.forEach(function (a) { map.attributionControl.addAttribution(esc(a)); });
  map.p03lines = lines;
}

function drawBase(self, map, B) {
  if (self.dropBase) self.dropBase();
  self.dropBase = window.p03Map.base(map, B);
  self.baseKey = self.data.baseKey;
}

function drawSites(self, map, D) {
  self.group.clearLayers();
  var S = D.sites;
  var points = window.p03Map.sites(map, self.group, S, D.view);
  function report(e) {
    var m = e.propagatedFrom || e.layer, i = m && (m.options.i !== undefined ? m.options.i
      : m.feature && m.feature.properties.i);
    if (i !== undefined && i !== null) self.report(S.ids[i]);
  }
  points.on("click", report);
  window.p03.shapes.on("click", report);
  self.sitesKey = D.sitesKey;
}

// On the first drawing the sites go first and the outlines and reference layers follow once the
// markers are painted (the outlines keep the sites' view); afterwards a changed unit's outlines
// go first (they fit the map to the unit) and the sites follow. data-p03-sites says how many
// sites the map holds once everything is drawn (tests and the benchmark wait on it).
function update(self) {
  var D = self.data, map = self.map, first = !map;
  if (first) {
    map = self.map = newMap(self.box, D.frame, D.view);
    self.group = L.featureGroup().addTo(map);
  }
  attribution(map, D.frame.lines);
  var B = self.baseKey !== D.baseKey ? D.base : null;
  if (B) map.p03names = {districts: B.districts, communes: B.communes};  // the popups' unit names
  if (B && !first) {
    drawBase(self, map, B);
    self.sitesKey = null;  // the outlines fitted the unit: the sites fit their view again
  }
  if (self.sitesKey !== D.sitesKey) drawSites(self, map, D);
  function rest() {
    if (self.data !== D) return;  // a newer run's data is being drawn
    if (B && first && self.baseKey !== D.baseKey) {
      B.view = map.p03view;  // the sites' view, kept
      drawBase(self, map, B);
    }
    if (self.refKey !== D.refKey) {
      if (self.dropRef) self.dropRef();
      self.dropRef = D.ref ? drawReference(map, D.ref) : null;
      self.refKey = D.refKey;
    }
    self.outer.dataset.p03Sites = String(window.p03.count);
  }
  if (first) requestAnimationFrame(function () { setTimeout(rest, 0); });  // after the markers' paint
  else rest();
}

// The run's data comes as UTF-8 JSON bytes (geo/maps/live.py `encode`: the parts embedded as they
// are, not as escaped strings); the same bytes drawn again are not parsed again.
function decoded(raw) {
  if (!(raw instanceof Uint8Array || raw instanceof ArrayBuffer)) return raw;
  if (decoded.raw !== raw) {
    decoded.last = JSON.parse(new TextDecoder().decode(raw));
    decoded.raw = raw;
  }
  return decoded.last;
}

// the map's element (its HTML page has preloaded the assets: pages/ui/page_html.py)
export default function (component) {
  var data = decoded(component.data), parent = component.parentElement;
  if (!data || !data.frame) return;
  var outer = parent.querySelector(".p03-live"), box;
  if (!outer) {  // <div class=p03-live data-p03-sites=N><div class=p03-live-map (Leaflet's container)>
    outer = document.createElement("div");
    outer.className = "p03-live";
    box = document.createElement("div");
    box.className = "p03-live-map";
    outer.appendChild(box);
    parent.appendChild(outer);
  }
  box = outer.firstChild;
  box.style.height = data.height + "px";
  var self = outer.p03 || (outer.p03 = {box: box, outer: outer});
  self.data = data;
  self.report = function (id) { component.setStateValue("clicked", id); };
  if (!self.pending) {  // one drawing at a time, of the newest data
    self.pending = true;
    loadAssets(data.assets).then(function () { self.pending = false; update(self); }, function (err) {
      self.pending = false;
      box.textContent = String(err.message || err);
    });
  }
  return function () {
    // unmounted (the page left): the map goes with its element; kept while the element stays
    setTimeout(function () { if (!outer.isConnected && self.map) { self.map.remove(); self.map = null; } }, 0);
  };
}
