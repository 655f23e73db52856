// Diagrams: pan and zoom (vendored svg-pan-zoom) and a search box that highlights matching elements.
// Without JavaScript a diagram is a plain SVG in a scrolling box; this only adds to it.
(function () {
  const zooms = new WeakMap();

  function enhance(root) {
    const figures = root.matches && root.matches("figure.diagram") ? [root] : root.querySelectorAll("figure.diagram");
    figures.forEach(function (figure) {
      if (figure.dataset.enhanced) return;
      figure.dataset.enhanced = "1";
      const svg = figure.querySelector(".diagram-svg svg");
      if (!svg || svg.classList.contains("diagram-failed")) return;
      figure.querySelector(".diagram-find").hidden = false;
      if (typeof window.svgPanZoom !== "function") return;
      // The box sets the size once the diagram can be zoomed; dot's fixed width and height would overflow it.
      svg.removeAttribute("width");
      svg.removeAttribute("height");
      figure.classList.add("pan-zoom");
      // svg-pan-zoom would add overflow through setAttribute("style"), an inline style the
      // Content-Security-Policy refuses; set through the CSSOM it is allowed, and svg-pan-zoom sees it.
      svg.style.overflow = "hidden";
      zooms.set(figure, window.svgPanZoom(svg, {
        controlIconsEnabled: false, zoomScaleSensitivity: 0.3, minZoom: 0.05, maxZoom: 40, fit: true, center: true,
      }));
    });
  }

  // Nodes and clusters whose text holds every word typed; the first is brought to the middle.
  function search(input) {
    const figure = input.closest("figure.diagram");
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    const found = [];
    figure.querySelectorAll("g.node, g.cluster").forEach(function (element) {
      const text = Array.from(element.querySelectorAll("text"), function (t) { return t.textContent; }).join(" ").toLowerCase();
      const match = words.length > 0 && words.every(function (word) { return text.includes(word); });
      element.classList.toggle("match", match);
      if (match) found.push(element);
    });
    figure.classList.toggle("searching", words.length > 0);
    figure.querySelector(".diagram-found").textContent = words.length ? found.length + " found" : "";
    const zoom = zooms.get(figure);
    if (zoom && found.length) {
      const box = found[0].getBBox();
      const matrix = found[0].getCTM();
      const sizes = zoom.getSizes();
      const x = matrix.a * (box.x + box.width / 2) + matrix.c * (box.y + box.height / 2) + matrix.e;
      const y = matrix.b * (box.x + box.width / 2) + matrix.d * (box.y + box.height / 2) + matrix.f;
      zoom.panBy({ x: sizes.width / 2 - x, y: sizes.height / 2 - y });
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(".diagram-search")) search(event.target);
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-zoom]");
    const zoom = button && zooms.get(button.closest("figure.diagram"));
    if (!zoom) return;
    if (button.dataset.zoom === "in") zoom.zoomIn();
    else if (button.dataset.zoom === "out") zoom.zoomOut();
    else { zoom.resize(); zoom.fit(); zoom.center(); }
  });
  // htmx:load fires for the page and for every fragment htmx swaps in, such as a panel's diagram.
  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { enhance(document.body); });
})();
