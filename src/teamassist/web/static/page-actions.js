// The dashboard's small page behaviours, wired by data attributes from this one file: the pages
// carry no inline script or event-handler attribute, so the Content-Security-Policy can allow
// scripts from this site only (script-src 'self'; teamassist.web.security_headers).
// - select[data-submit-on-change]: choosing an option submits its form (team and rotation pickers).
// - input[data-select-on-click]: a click selects the whole value (a feed URL to copy).
// - form[data-confirm]: asks before submitting (unbinding a platform chat).
// - form[data-clear-on-success]: after a successful HTMX request its text input is emptied and
//   the element named by the attribute scrolled to its end (the web chat).
// - form[data-drop-empty]: an HTMX request leaves out empty fields (the feedback board's filters).
// - .reply-button[data-command] inside #transcript: sends its command as the current speaker.
(function () {
  "use strict";

  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-submit-on-change") && el.form) {
      el.form.submit();
    }
  });

  document.addEventListener("click", function (ev) {
    var target = ev.target;
    if (!(target instanceof Element)) return;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-select-on-click")) {
      target.select();
      return;
    }
    var button = target.closest("#transcript .reply-button");
    if (button && button.dataset.command !== undefined) {
      var input = document.getElementById("chat-input");
      if (!input) return;
      input.value = button.dataset.command;
      htmx.trigger("#chat-form", "submit");
    }
  });

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) ev.preventDefault();
    }
  });

  document.addEventListener("htmx:afterRequest", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-clear-on-success")) return;
    if (!ev.detail.successful) return;
    var text = form.querySelector("[name=text]");
    if (text) text.value = "";
    var scrolled = document.getElementById(form.getAttribute("data-clear-on-success"));
    if (scrolled) scrolled.scrollTop = scrolled.scrollHeight;
  });

  document.addEventListener("htmx:configRequest", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-drop-empty")) return;
    Array.from(ev.detail.formData.entries()).forEach(function (entry) {
      if (entry[1] === "") delete ev.detail.parameters[entry[0]];
    });
  });
})();
