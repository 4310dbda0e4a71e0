// The dashboard's own behaviour. Loaded as a file (no inline scripts: CSP).
"use strict";

(function () {
  // htmx 2 does not swap 4xx/5xx answers by default; ours carry a readable message,
  // so swap them (the server retargets them to the right place) and flag them as errors.
  if (window.htmx) {
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "[45]..", swap: true, error: false },
    ];
  }

  function showProblem(text) {
    const region = document.getElementById("problems");
    if (!region) return;
    const article = document.createElement("article");
    article.className = "problem";
    const paragraph = document.createElement("p");
    paragraph.textContent = text;
    article.appendChild(paragraph);
    region.replaceChildren(article);
  }

  // A request that never completed (network down, server gone) still gets a message.
  document.addEventListener("htmx:sendError", function () {
    showProblem("The dashboard could not be reached. Check your connection and try again.");
  });
  document.addEventListener("htmx:timeout", function () {
    showProblem("The dashboard took too long to answer. Try again.");
  });

  // A select marked data-autosubmit submits its form on change (no-JS users get a button).
  document.addEventListener("change", function (event) {
    const target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
      target.form.requestSubmit();
    }
  });
})();
