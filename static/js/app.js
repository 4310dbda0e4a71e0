// The dashboard's own behaviour. Loaded as a file (no inline scripts: CSP).
// Every screen works without it; this only makes HTMX swaps pleasant and accessible.
"use strict";

(function () {
  // htmx 2 does not swap 4xx/5xx answers by default; ours carry a readable message
  // (a form with its errors, or a problem retargeted to #problems), so swap them.
  if (window.htmx) {
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "[45]..", swap: true, error: false },
    ];
  }

  // With DEBUG on, django-htmx's debug script replaces the whole page with any 400, 403,
  // 404 or 500 answer, to show Django's error page. The dashboard's own answers with those
  // statuses are fragments meant for the page (a problem, a form with its input): keep
  // them from it. This capture listener on window runs before its listener on document;
  // a whole document (Django's own error page) still reaches it.
  window.addEventListener("htmx:beforeOnLoad", function (event) {
    const xhr = event.detail && event.detail.xhr;
    if (!xhr || xhr.status < 400) return;
    const text = typeof xhr.response === "string" ? xhr.response : "";
    if (!/^\s*<!doctype html/i.test(text)) event.stopPropagation();
  }, true);

  // --- problems ---------------------------------------------------------------------

  function problemRegion() {
    return document.getElementById("problems");
  }

  function showProblem(text) {
    const region = problemRegion();
    if (!region) return;
    const article = document.createElement("article");
    article.className = "problem";
    const paragraph = document.createElement("p");
    paragraph.textContent = text;
    article.appendChild(paragraph);
    region.replaceChildren(article);
    closeDialogs();
  }

  // A request that never completed (network down, server gone) still gets a message.
  document.addEventListener("htmx:sendError", function () {
    showProblem("The dashboard could not be reached. Check your connection and try again.");
  });
  document.addEventListener("htmx:timeout", function () {
    showProblem("The dashboard took too long to answer. Try again.");
  });

  // A new action starts with a clean slate: an old problem would be mistaken for its result.
  document.addEventListener("htmx:beforeRequest", function (event) {
    const region = problemRegion();
    if (region && !region.contains(event.target)) region.replaceChildren();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    const region = problemRegion();
    if (region && event.target === region && region.childElementCount > 0) {
      // The problem must not hide behind a modal dialog, and must be seen.
      closeDialogs();
      region.scrollIntoView({ block: "nearest" });
    }
  });

  // --- busy controls: no double submits ---------------------------------------------

  // While a request runs, the controls that could send it again are disabled: a form's
  // buttons and button-like links (Save, Cancel), or the button or link itself. htmx
  // would otherwise queue a second click (or Enter) and send the form twice. The main
  // button also shows Pico's spinner (aria-busy); #loading shows for every request.
  function busyControls(elt) {
    if (!(elt instanceof Element)) return [];
    if (elt.tagName === "FORM") return Array.from(elt.querySelectorAll("button, [role=button]"));
    if (elt.matches("button, [role=button]")) return [elt];
    return [];
  }

  function mainControl(elt) {
    if (elt.tagName === "FORM") return elt.querySelector("button[type=submit], button:not([type])");
    return elt.matches("button, [role=button]") ? elt : null;
  }

  function setBusy(elt, busy) {
    busyControls(elt).forEach(function (control) {
      if (busy) {
        if (control.disabled || control.getAttribute("aria-disabled") === "true") return;
        // Links cannot be disabled: aria-disabled says so, and the click guard below acts.
        if (control.tagName === "BUTTON") control.disabled = true;
        else control.setAttribute("aria-disabled", "true");
        control.setAttribute("data-busy-disabled", "");
      } else if (control.hasAttribute("data-busy-disabled")) {
        control.removeAttribute("data-busy-disabled");
        if (control.tagName === "BUTTON") control.disabled = false;
        else control.removeAttribute("aria-disabled");
      }
    });
    const main = mainControl(elt);
    if (main && busy) main.setAttribute("aria-busy", "true");
    if (main && !busy) main.removeAttribute("aria-busy");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail && event.detail.elt;
    if (!(elt instanceof Element) || !busyControls(elt).length) return;
    elt.setAttribute("data-in-flight", "");
    setBusy(elt, true);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    const elt = event.detail && event.detail.elt;
    if (!(elt instanceof Element) || !elt.hasAttribute("data-in-flight")) return;
    elt.removeAttribute("data-in-flight");
    setBusy(elt, false);
  });
  // The same form or button once more while its request runs (Enter, a fast second
  // click): dropped, not queued.
  document.addEventListener("htmx:confirm", function (event) {
    const elt = event.detail && event.detail.elt;
    if (elt instanceof Element && elt.hasAttribute("data-in-flight")) event.preventDefault();
  });
  // A click on a link marked busy does nothing (neither htmx nor the browser follows it).
  document.addEventListener("click", function (event) {
    const link = event.target instanceof Element && event.target.closest("a[aria-disabled=true]");
    if (link) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // --- dialogs (the delete confirmation) ----------------------------------------------

  let dialogOpener = null;

  function closeDialogs() {
    document.querySelectorAll("dialog[open]").forEach(function (dialog) {
      dialog.close();
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    const target = event.detail && event.detail.target;
    if (target && target.id === "dialog-slot") dialogOpener = event.detail.elt;
  });

  function openNewDialogs(root) {
    root.querySelectorAll("dialog[data-modal]:not([open])").forEach(function (dialog) {
      dialog.addEventListener("close", function () {
        dialog.remove();
        // Back to the button that opened it, if that is still on the page.
        if (dialogOpener && document.body.contains(dialogOpener)) dialogOpener.focus();
        dialogOpener = null;
      });
      dialog.showModal(); // Escape closes it natively; focus goes to its [autofocus].
    });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    openNewDialogs(event.target.parentNode || document);
  });

  // --- rows edited and removed in place ------------------------------------------------

  // Escape in an edit form means Cancel (the link swaps the plain row back in).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    let form = event.target instanceof Element && event.target.closest("form[data-edit-form]");
    // Focus can fall back to <body> (a click on empty space): Escape still means Cancel.
    if (!form && document.activeElement === document.body) {
      form = document.querySelector("form[data-edit-form]");
    }
    if (!form) return;
    const cancel = form.querySelector("[data-cancel]");
    if (cancel) {
      event.preventDefault();
      cancel.click();
    }
  });

  // Before a row is deleted from the table, remember where keyboard focus should go.
  let focusAfterRemoval = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    const target = event.detail.target;
    if (!(target instanceof HTMLTableRowElement) || !target.classList.contains("category-row")) return;
    let neighbour = target.nextElementSibling;
    if (!neighbour || !neighbour.classList.contains("category-row")) {
      neighbour = target.previousElementSibling;
    }
    focusAfterRemoval = neighbour && neighbour.classList.contains("category-row") ? neighbour.id : null;
  });

  // Sent by the server (HX-Trigger-After-Settle) when its answer removed a row.
  document.addEventListener("dashboard:row-removed", function () {
    const row = focusAfterRemoval && document.getElementById(focusAfterRemoval);
    const link = row && row.querySelector("th a, a, button");
    const fallback = document.getElementById("category-panel-heading");
    (link || fallback || document.getElementById("content")).focus();
    focusAfterRemoval = null;
    updateRowCount();
  });

  // The heading counts the rows; keep it right as rows come and go without a reload.
  function updateRowCount() {
    const heading = document.getElementById("category-panel-heading");
    const rows = document.getElementById("category-rows");
    if (!heading || !rows) return;
    const count = rows.querySelectorAll("tr.category-row").length;
    const number = heading.querySelector("[data-count]");
    const noun = heading.querySelector("[data-noun]");
    if (number) number.textContent = String(count);
    if (noun) noun.textContent = count === 1 ? heading.dataset.nounOne : heading.dataset.nounMany;
  }
  document.addEventListener("htmx:oobAfterSwap", updateRowCount);

  // --- colour picker -------------------------------------------------------------------

  // The swatches are plain radio inputs (arrow keys, no-JS posts); with JavaScript a
  // preview shows the category as it will look: the chosen swatch next to the typed name.
  function refreshPreview(form) {
    const preview = form.querySelector("[data-preview]");
    if (!preview) return;
    const name = form.querySelector("[data-name-input]");
    const chosen = form.querySelector(".color-picker input[type=radio]:checked");
    const swatch = preview.querySelector("[data-preview-swatch]");
    const label = preview.querySelector("[data-preview-name]");
    if (label) label.textContent = (name && name.value.trim()) || "New category";
    if (swatch) swatch.className = "swatch swatch-" + (chosen ? chosen.value : "none");
    preview.hidden = false;
  }

  function refreshPreviews(root) {
    root.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-preview]")) refreshPreview(form);
    });
  }

  document.addEventListener("input", function (event) {
    const form = event.target instanceof Element && event.target.closest("form");
    if (form) refreshPreview(form);
  });
  document.addEventListener("change", function (event) {
    const form = event.target instanceof Element && event.target.closest("form");
    if (form) refreshPreview(form);
  });
  document.addEventListener("htmx:load", function (event) {
    refreshPreviews(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    refreshPreviews(document);
  });

  // --- small conveniences --------------------------------------------------------------

  // A select or checkbox marked data-autosubmit submits its form on change (no-JS users
  // get a button).
  document.addEventListener("change", function (event) {
    const target = event.target;
    const field = target instanceof HTMLSelectElement || target instanceof HTMLInputElement;
    if (field && target.hasAttribute("data-autosubmit")) {
      target.form.requestSubmit();
    }
  });

  // Opening the create panel puts the cursor in the name field.
  document.addEventListener("toggle", function (event) {
    const details = event.target;
    if (details instanceof HTMLDetailsElement && details.id === "create-panel" && details.open) {
      const input = details.querySelector("[data-name-input]");
      if (input) input.focus();
    }
  }, true);
})();
