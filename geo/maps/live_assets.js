// Leaflet, its plugins and their style sheets, loaded once per page for the district map drawn in
// the page (geo/maps/live.py): `A` is {js: [urls], css: [urls], style: text}. The scripts download
// at once and run in the order given (Leaflet before its plugins); the promise is shared, so the
// page (its HTML answer preloads them: pages/ui/live_map.py) and every drawing of the map wait on the same load.
function loadAssets(A) {
  if (window.__p03assets) return window.__p03assets;
  A.css.forEach(function (href) {
    var l = document.createElement("link");
    l.rel = "stylesheet";
    l.href = href;
    document.head.appendChild(l);
  });
  var style = document.createElement("style");
  style.textContent = A.style;
  document.head.appendChild(style);
  window.__p03assets = Promise.all(A.js.map(function (src) {
    return new Promise(function (ok, fail) {
      var s = document.createElement("script");
      s.src = src;
      s.async = false;
      s.onload = ok;
      s.onerror = function () { fail(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }));
  return window.__p03assets;
}

