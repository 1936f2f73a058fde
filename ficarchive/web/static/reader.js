// Optional: applies a theme or text-size link at once, without reloading the page.
// Without this script the same links work through /prefs, which sets the cookie.
(function () {
  "use strict";
  var root = document.documentElement;
  var labels = { "1": "Smallest", "2": "Smaller", "3": "Normal", "4": "Larger", "5": "Largest" };

  function remember(name, value) {
    document.cookie = name + "=" + value + "; Max-Age=31536000; Path=/; SameSite=Lax";
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-pref]");
    if (!link) { return; }
    event.preventDefault();
    var name = link.getAttribute("data-pref");
    var value;
    if (name === "theme") {
      value = link.getAttribute("data-value");
      document.querySelectorAll('a[data-pref="theme"]').forEach(function (other) {
        if (other === link) { other.setAttribute("aria-current", "true"); }
        else { other.removeAttribute("aria-current"); }
      });
    } else {
      var size = parseInt(root.getAttribute("data-size") || "3", 10);
      value = String(Math.min(5, Math.max(1, size + parseInt(link.getAttribute("data-step"), 10))));
      var now = document.querySelector(".size-now");
      if (now) { now.textContent = labels[value]; }
    }
    root.setAttribute("data-" + name, value);
    remember(name, value);
  });
}());
