/* Workload reporting pages: small progressive helpers (everything works without them).
   1. Forms marked data-once disable their buttons on submit, so a double click sends once.
   2. The cycle's progress page follows the opening by polling the JSON variant of its own URL. */
(function () {
  "use strict";

  function once(form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      // A disabled button is not sent with the form: keep the pressed one's name and value.
      var pressed = event.submitter;
      if (pressed && pressed.name) {
        var keep = document.createElement("input");
        keep.type = "hidden";
        keep.name = pressed.name;
        keep.value = pressed.value;
        keep.dataset.kept = "1";
        form.appendChild(keep);
      }
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (button) {
          button.disabled = true;
        });
      }, 0);
    });
  }

  // Coming back with the browser's back button shows the page as it was left: enable it again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.dataset.sent = "";
      form.querySelectorAll("input[type=hidden][data-kept]").forEach(function (input) {
        input.remove();
      });
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = false;
      });
    });
  });

  document.querySelectorAll("form[data-once]").forEach(once);

  // The extension form: show the district list or the province list, as chosen.
  var extend = document.querySelector("form[data-extend]");
  if (extend) {
    var show = function () {
      var chosen = extend.querySelector("input[name=target]:checked");
      var target = chosen ? chosen.value : "district";
      ["district", "province"].forEach(function (name) {
        var select = document.getElementById("id_" + name);
        var field = select ? select.closest(".field") : null;
        if (field) {
          field.hidden = name !== target;
        }
      });
    };
    extend.querySelectorAll("input[name=target]").forEach(function (radio) {
      radio.addEventListener("change", show);
    });
    show();
  }

  var progress = document.querySelector("[data-poll-url]");
  if (progress && progress.dataset.status === "OPENING" && window.fetch) {
    var bar = document.getElementById("progress-bar");
    var figure = document.getElementById("progress-figure");
    var done = document.getElementById("progress-done");
    var status = document.getElementById("cycle-status");
    var every = (parseInt(progress.dataset.pollSeconds, 10) || 2) * 1000;
    var poll = function () {
      fetch(progress.dataset.pollUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (!data) {
            window.setTimeout(poll, every * 2);
            return;
          }
          if (bar) {
            bar.max = data.total || 1;
            bar.value = data.spawned;
            bar.textContent = data.percent + "%";
          }
          if (figure) {
            figure.textContent = data.spawned + " / " + data.total + " (" + data.percent + "%)";
          }
          if (status) {
            status.textContent = data.status_label;
          }
          if (data.done) {
            window.location.reload();
            return;
          }
          window.setTimeout(poll, every);
        })
        .catch(function () {
          window.setTimeout(poll, every * 2);
        });
    };
    window.setTimeout(poll, every);
    if (done) {
      done.hidden = true;
    }
  }
})();
