// The course site: small behaviours on top of the PyData theme (no network, no dependencies).
(function () {
  "use strict";
  // Opened as files (build/html/index.html), a page cannot fetch another page: Sphinx's search
  // then lists its results without the text excerpts it would fetch from each page.
  // (documentation_options.js declares DOCUMENTATION_OPTIONS with const: not a window property.)
  if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
    DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
  }
  // "Hide code": the page as prose, figures and results; remembered across pages.
  var KEY = "musicviz-hide-code";
  function apply(hidden) {
    document.documentElement.classList.toggle("mv-hide-code", hidden);
    var button = document.querySelector(".mv-code-toggle");
    if (button) {
      button.setAttribute("aria-pressed", String(hidden));
      button.textContent = hidden ? "Show code" : "Hide code";
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".mv-code-toggle");
    if (!button) return;
    button.addEventListener("click", function () {
      var hidden = !document.documentElement.classList.contains("mv-hide-code");
      try { window.localStorage.setItem(KEY, hidden ? "1" : "0"); } catch (e) { /* private mode */ }
      apply(hidden);
    });
    var stored = null;
    try { stored = window.localStorage.getItem(KEY); } catch (e) { /* private mode */ }
    apply(stored === "1");
  });
})();
