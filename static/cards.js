// On a narrow screen (600 px and less) the grid gives way to cards: the programs of the page's
// view as a list (templates/grid/_cards.html), loaded from #cards[data-src] when the screen is
// narrow, and again after the filters replace the grid (a new #cards with its own data-src).
// A wide screen never asks for them.
(() => {
  "use strict";
  const narrow = window.matchMedia("(max-width: 600px)");

  function load() {
    const box = document.getElementById("cards");
    if (!box || !narrow.matches || box.dataset.loaded === box.dataset.src) return;
    box.dataset.loaded = box.dataset.src;
    box.setAttribute("aria-busy", "true");
    htmx.ajax("GET", box.dataset.src, { target: box, swap: "innerHTML" }).finally(() => {
      box.removeAttribute("aria-busy");
    });
  }

  narrow.addEventListener("change", load);
  document.addEventListener("htmx:afterSettle", load);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();
