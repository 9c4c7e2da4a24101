// ereg portal: the little the pages need beyond htmx (no inline scripts: the CSP forbids them).
(function () {
  "use strict";

  // A "send code" button waits out the 60 s before a code may be sent again.
  function countdown(root) {
    root.querySelectorAll("button[data-resend-at]:not([data-ready])").forEach(function (button) {
      button.setAttribute("data-ready", "");
      var until = Date.parse(button.getAttribute("data-resend-at"));
      var label = button.getAttribute("data-label");
      var waitLabel = button.getAttribute("data-wait-label");
      function tick() {
        var left = Math.ceil((until - Date.now()) / 1000);
        if (left > 0) {
          button.disabled = true;
          button.textContent = waitLabel.replace("{s}", left);
          window.setTimeout(tick, 1000);
        } else {
          button.disabled = false;
          button.textContent = label;
        }
      }
      tick();
    });
  }

  // A chosen photo is shown before it is sent (a blob: URL; nothing leaves the browser).
  function previews(root) {
    root.querySelectorAll("input[type=file][data-preview]:not([data-ready])").forEach(function (input) {
      input.setAttribute("data-ready", "");
      input.addEventListener("change", function () {
        var img = document.getElementById(input.getAttribute("data-preview"));
        var box = document.getElementById(input.getAttribute("data-preview") + "-box");
        if (!img || !input.files || !input.files[0]) { if (box) box.hidden = true; return; }
        if (img.src) URL.revokeObjectURL(img.src);
        img.src = URL.createObjectURL(input.files[0]);
        if (box) box.hidden = false;
      });
    });
  }

  function init(root) { countdown(root); previews(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
