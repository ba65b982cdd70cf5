// Shared by every layer script of geo/maps: placed inside the layer's closure, before the layer's
// own function, so nothing here becomes a global name.
// Text escaped before it becomes HTML (names, labels: anything a user could have typed); the
// backslash too, as sites.js does.
function esc(s) {
  return String(s == null ? "" : s).replace(/[&<>"'`=\\/]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
}
