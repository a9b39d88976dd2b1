// Every HTMX request the server refuses shows the server's reason (one mechanism for every form).
// htmx drops 4xx/5xx responses by default, so a refused preview or save used to show nothing.
// - An HTML fragment made for the target (e.g. the rotation editor's error line) is swapped in
//   like a success.
// - Anything else (the JSON {"error", "message"} shape, or a whole error page) shows its message
//   in the page's alert line (#request-error).
// - A request that never got an answer shows the catalogue's network message.
(function () {
  "use strict";

  function box() {
    return document.getElementById("request-error");
  }

  function show(message) {
    var el = box();
    if (!el) return;
    el.textContent = message;
    el.hidden = false;
  }

  function messageOf(xhr) {
    var text = xhr.responseText || "";
    var type = xhr.getResponseHeader("content-type") || "";
    if (type.indexOf("json") !== -1) {
      try {
        var body = JSON.parse(text);
        if (body && typeof body.message === "string" && body.message) return body.message;
        if (body && typeof body.detail === "string" && body.detail) return body.detail;
      } catch (ignored) { /* fall through to the generic line */ }
    } else if (type.indexOf("text/html") !== -1) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var alerts = doc.querySelectorAll("[role=alert]");
      for (var i = 0; i < alerts.length; i++) {
        if (alerts[i].textContent.trim()) return alerts[i].textContent.trim();
      }
    }
    var el = box();
    return (el && el.dataset.generic ? el.dataset.generic + " " : "") + "(" + xhr.status + ")";
  }

  function isFragment(xhr) {
    var type = xhr.getResponseHeader("content-type") || "";
    return type.indexOf("text/html") !== -1 && !/<html[\s>]/i.test(xhr.responseText || "");
  }

  document.addEventListener("htmx:beforeRequest", function () {
    var el = box();
    if (el) el.hidden = true;
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status < 400) return;
    if (isFragment(xhr)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      return;
    }
    event.detail.shouldSwap = false;
    show(messageOf(xhr));
  });

  document.addEventListener("htmx:sendError", function () {
    var el = box();
    show(el && el.dataset.network ? el.dataset.network : "network error");
  });
})();
