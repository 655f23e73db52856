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
