/* Drawing a polygon on the inline SVG map of the exploration-licence pages (licences/el_views.py drawing_map).
   Each click on the map adds a corner; "Finish polygon" closes it and starts another (several make a MultiPolygon).
   The GeoJSON field named by data-target is filled as you draw, and the server checks it. Without JavaScript
   that field is typed or pasted, or a .geojson file uploaded. Plain JavaScript, no library. */
(function () {
  "use strict";

  var NS = "http://www.w3.org/2000/svg";

  function setup(root) {
    var svg = root.querySelector("svg.draw-map");
    var text = document.getElementById(root.getAttribute("data-target"));
    if (!svg || !text) return;
    var d = svg.dataset;
    var minLon = +d.minLon, maxLat = +d.maxLat, cosLat = +d.cosLat, scale = +d.scale;
    var offsetX = +d.offsetX, offsetY = +d.offsetY;
    var polygons = []; // finished rings, each a list of [lon, lat] without the closing repeat
    var current = [];
    var layer = document.createElementNS(NS, "g");
    layer.setAttribute("class", "drawing");
    svg.appendChild(layer);
    var tools = root.querySelector(".draw-tools");
    var status = root.querySelector(".draw-status");
    var field = text.closest(".field");

    function round(value) {
      return Math.round(value * 1e6) / 1e6; // about 0.1 m
    }
    function toLonLat(x, y) {
      return [round(minLon + (x - offsetX) / (cosLat * scale)), round(maxLat - (y - offsetY) / scale)];
    }
    function toXY(p) {
      return [offsetX + (p[0] - minLon) * cosLat * scale, offsetY + (maxLat - p[1]) * scale];
    }
    function closed(ring) {
      return [ring.concat([ring[0]])];
    }
    function shapes() {
      return current.length >= 3 ? polygons.concat([current]) : polygons.slice();
    }
    function node(tag, attrs) {
      var el = document.createElementNS(NS, tag);
      Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
      layer.appendChild(el);
      return el;
    }
    function points(ring) {
      return ring.map(function (p) { return toXY(p).map(function (v) { return v.toFixed(1); }).join(","); }).join(" ");
    }

    function render() {
      while (layer.firstChild) layer.removeChild(layer.firstChild);
      polygons.forEach(function (ring) {
        node("polygon", { points: points(ring), fill: "#c2410c", "fill-opacity": "0.3", stroke: "#c2410c", "stroke-width": "2" });
      });
      if (current.length) {
        node(current.length >= 3 ? "polygon" : "polyline", {
          points: points(current), fill: current.length >= 3 ? "#c2410c" : "none", "fill-opacity": "0.2",
          stroke: "#c2410c", "stroke-width": "2", "stroke-dasharray": "5 3"
        });
      }
      current.forEach(function (p) {
        var xy = toXY(p);
        node("circle", { cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: "4", fill: "#c2410c" });
      });
      var count = shapes().length;
      status.textContent = count
        ? count + " polygon" + (count > 1 ? "s" : "") + " drawn" + (current.length ? " (" + current.length + " corners in the one being drawn)" : "") + "."
        : current.length ? current.length + " corner" + (current.length > 1 ? "s" : "") + ": at least 3 make a polygon." : "Click the map to place the first corner.";
    }

    function write() {
      var all = shapes();
      if (!all.length) text.value = "";
      else if (all.length === 1) text.value = JSON.stringify({ type: "Polygon", coordinates: closed(all[0]) });
      else text.value = JSON.stringify({ type: "MultiPolygon", coordinates: all.map(closed) });
      render();
    }

    function load() {
      // A value already there (the page came back with a refusal): draw it so it can be corrected.
      if (!text.value.trim()) return;
      try {
        var g = JSON.parse(text.value);
        if (g.type === "Feature") g = g.geometry;
        var rings = g.type === "Polygon" ? [g.coordinates[0]] : g.type === "MultiPolygon" ? g.coordinates.map(function (p) { return p[0]; }) : [];
        polygons = rings.map(function (r) { return r.slice(0, r.length - 1); });
      } catch (e) {
        polygons = [];
      }
    }

    svg.addEventListener("click", function (event) {
      var pt = svg.createSVGPoint();
      pt.x = event.clientX;
      pt.y = event.clientY;
      var q = pt.matrixTransform(svg.getScreenCTM().inverse());
      current.push(toLonLat(q.x, q.y));
      write();
    });
    tools.addEventListener("click", function (event) {
      var action = event.target.getAttribute("data-draw");
      if (action === "finish" && current.length >= 3) { polygons.push(current); current = []; }
      else if (action === "undo") { if (current.length) current.pop(); else if (polygons.length) current = polygons.pop(); }
      else if (action === "clear") { polygons = []; current = []; }
      else if (action === "show") { field.classList.remove("geojson-hidden"); event.target.hidden = true; return; }
      else return;
      write();
    });
    text.addEventListener("change", function () { load(); current = []; render(); });

    root.classList.add("drawing-js");
    if (field && !field.classList.contains("has-error")) field.classList.add("geojson-hidden");
    tools.hidden = false;
    load();
    render();
  }

  document.querySelectorAll("[data-draw-map]").forEach(setup);
})();
