// htmx does not swap error responses, so a failed save would look like nothing happened.
// Say what went wrong, next to the page's other messages; the user's input stays in place.
(function () {
  const reasons = {
    401: "Your session has ended. Log in again in another tab, then save again: what you typed is still here.",
    403: "The server refused this: the design may have been archived, your role changed, or the page is too old. Copy anything you typed, then reload the page.",
    404: "This element no longer exists: someone may have deleted it. Reload the page to see the design as it is now.",
    413: "That is larger than the server accepts.",
    429: "Too many attempts from here: wait a while, then try again. What you typed is still here.",
    503: "The workbench cannot reach its database just now. Nothing was saved; what you typed is still here. Try again in a minute.",
    504: "That took too long and was stopped. Nothing was saved; what you typed is still here.",
  };

  function show(text) {
    const box = document.getElementById("request-error");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr.status;
    show(reasons[status] || "The server could not handle that (error " + status + "). Nothing was saved; try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    show("The server could not be reached. Nothing was saved; check your connection and try again.");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    const box = document.getElementById("request-error");
    if (box) box.hidden = true;
  });
})();

// Escape cancels an inline edit: the row's Cancel link brings the saved row back.
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  const row = event.target.closest && event.target.closest("tr.editing");
  const cancel = row && row.querySelector("a.cancel");
  if (cancel) cancel.click();
});

// An element's read view opens in a row under its row. Its Open link (or a cut cell's "…")
// folds it again, as does Close or Escape; a row swapped for editing drops its stale read view.
(function () {
  function openers(id) {
    return document.querySelectorAll('a.open-detail[data-detail="' + id + '"]');
  }
  function fold(detail, focus) {
    const id = detail.id;
    detail.remove();
    openers(id).forEach(function (link) { link.setAttribute("aria-expanded", "false"); });
    const back = document.querySelector('a.open-detail[data-detail="' + id + '"]:not(.cut)');
    if (focus && back) back.focus();
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    if (!(elt instanceof Element)) return;
    if (elt.matches("a.open-detail")) {
      const shown = document.getElementById(elt.dataset.detail);
      if (shown) {
        event.preventDefault();
        fold(shown, false);
      }
      return;
    }
    const row = elt.closest('tr[id^="row-"]');
    const stale = row && document.getElementById("detail-" + row.id.slice(4));
    if (stale) fold(stale, false);
  });

  document.addEventListener("htmx:load", function (event) {
    const detail = event.detail.elt;
    if (!(detail instanceof Element) || !detail.matches("tr.detail")) return;
    openers(detail.id).forEach(function (link) { link.setAttribute("aria-expanded", "true"); });
    const title = detail.querySelector("h3");
    if (title) title.focus();
  });

  document.addEventListener("click", function (event) {
    const close = event.target.closest && event.target.closest("a.close-detail");
    const detail = close && document.getElementById(close.dataset.detail);
    if (!detail) return;
    event.preventDefault();
    fold(detail, true);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const target = event.target;
    if (!(target instanceof Element)) return;
    // From inside the read view, or from the link that opened it.
    const opener = target.closest("a.open-detail");
    const detail = target.closest("tr.detail") || (opener && document.getElementById(opener.dataset.detail));
    if (detail) fold(detail, true);
  });
})();
