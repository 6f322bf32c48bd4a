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
