// Tearline draft editor: autosave a moment after typing stops, show saved/unsaved state, retry with
// back-off when the network fails, and pause a portion whose save conflicted until its author decides.
// Without this script every form still has its own Save button.
(function () {
  "use strict";
  var DELAY = 1500;

  function statusOf(form) {
    return form.querySelector(".tl-save-status");
  }

  function setStatus(form, state, text) {
    var el = statusOf(form);
    if (!el) return;
    el.className = "tl-save-status tl-save-status--" + state;
    el.dataset.status = state;
    el.textContent = text;
  }

  function schedule(form, delay) {
    clearTimeout(form._tlTimer);
    form._tlTimer = setTimeout(function () { save(form); }, delay);
  }

  function save(form) {
    if (form.dataset.conflict === "1") return;
    if (form._tlInFlight) { form._tlAgain = true; return; }
    form._tlInFlight = true;
    form._tlSentGen = form._tlGen || 0;
    setStatus(form, "saving", "Saving…");
    window.htmx.trigger(form, "autosave");
  }

  function changed(form) {
    form._tlGen = (form._tlGen || 0) + 1;
    form.dataset.dirty = "1";
    if (form.dataset.conflict !== "1") setStatus(form, "unsaved", "Unsaved changes");
    schedule(form, DELAY);
  }

  document.querySelectorAll("form.tl-autosave").forEach(function (form) {
    form.addEventListener("input", function () { changed(form); });
    form.addEventListener("change", function () { changed(form); });
    form.addEventListener("htmx:afterRequest", function (ev) {
      if (ev.target !== form) return;
      var xhr = ev.detail.xhr;
      form._tlInFlight = false;
      if (xhr && xhr.status >= 200 && xhr.status < 300) {
        form.dataset.conflict = "";
        form._tlRetry = 0;
        if ((form._tlGen || 0) === form._tlSentGen) { form.dataset.dirty = ""; }
        else { schedule(form, DELAY); }
      } else if (xhr && (xhr.status === 409 || xhr.status === 404)) {
        // Someone else changed or removed what this form edits: pause until the author decides.
        form.dataset.conflict = "1";
      } else if (xhr && xhr.status >= 400 && xhr.status < 500) {
        // Refused input: the message is shown; the text stays unsaved (and guarded on leaving).
        form.dataset.conflict = "1";
      } else {
        // Network failure or server error: keep the text, say so, and try again with back-off.
        form._tlRetry = Math.min((form._tlRetry || 0) + 1, 5);
        var wait = Math.pow(2, form._tlRetry);
        setStatus(form, "error", "Not saved: connection problem. Retrying in " + wait + " s — your text is safe in this page.");
        schedule(form, wait * 1000);
      }
      if (form._tlAgain) { form._tlAgain = false; schedule(form, 10); }
    });
    form.addEventListener("htmx:sendError", function () {
      form._tlInFlight = false;
    });
    form.addEventListener("submit", function () {
      // An explicit save (the button, or "replace it with my text") ends a conflict pause.
      form.dataset.conflict = "";
    });
  });

  window.addEventListener("beforeunload", function (ev) {
    var dirty = document.querySelector("form.tl-autosave[data-dirty='1']");
    if (dirty) { ev.preventDefault(); ev.returnValue = ""; }
  });
})();
