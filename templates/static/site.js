// Opened straight from disk (file://), a folder link shows a file listing
// instead of the page: point folder links at their index.html.
(function () {
  "use strict";
  if (window.location.protocol !== "file:") return;
  var links = document.querySelectorAll("a[href]");
  for (var i = 0; i < links.length; i++) {
    var href = links[i].getAttribute("href");
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.charAt(0) === "#") continue;
    var parts = href.split("#");
    if (parts[0] === "" || parts[0].slice(-1) === "/") {
      parts[0] = (parts[0] || "./") + "index.html";
      links[i].setAttribute("href", parts.join("#"));
    }
  }
})();

// The header search box: when a reader focuses it, fetch what the search page will
// need (the index manifest and the search scripts) so results come sooner.
(function () {
  "use strict";
  var form = document.querySelector("form[data-prefetch]");
  if (!form || window.location.protocol === "file:") return;
  var done = false;
  form.addEventListener("focusin", function () {
    if (done) return;
    done = true;
    form.dataset.prefetch.split(" ").forEach(function (href) {
      var link = document.createElement("link");
      link.rel = "prefetch";
      link.href = href;
      document.head.appendChild(link);
    });
  });
})();

// Copy buttons (the BibTeX on a paper page): shown only where the script runs and the clipboard is there;
// without them the text is still in the page to select.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  var buttons = document.querySelectorAll("button[data-copy]");
  for (var i = 0; i < buttons.length; i++) {
    var button = buttons[i];
    var source = document.getElementById(button.dataset.copy);
    if (!source) continue;
    button.hidden = false;
    button.addEventListener("click", function (event) {
      var clicked = event.currentTarget;
      var label = clicked.textContent;
      navigator.clipboard.writeText(document.getElementById(clicked.dataset.copy).textContent).then(function () {
        clicked.textContent = "Copied";
        setTimeout(function () { clicked.textContent = label; }, 2000);
      });
    });
  }
})();
