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

// Reading progress: the first paragraph in view of a work, kept per work. Without an
// account it stays in this browser (localStorage); signed in, it is also sent to the
// reader (PUT /api/progress/ID, with the page's CSRF token), a few seconds after
// scrolling stops and when the page is left. The home page lists the works begun.
(function () {
  "use strict";
  var KEY = "ficarchive.progress";
  var KEPT = 200;  // works remembered in this browser
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : null;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "{}") || {}; }
    catch (e) { return {}; }
  }
  function store(all) {
    var ids = Object.keys(all).sort(function (a, b) { return (all[b].at || 0) - (all[a].at || 0); });
    ids.slice(KEPT).forEach(function (id) { delete all[id]; });
    try { window.localStorage.setItem(KEY, JSON.stringify(all)); } catch (e) { /* full or off */ }
  }

  function continueReading() {
    var section = document.querySelector("[data-local-progress]");
    if (!section) { return; }
    var all = load();
    var ids = Object.keys(all).filter(function (id) { return !all[id].read && all[id].p > 0; });
    ids.sort(function (a, b) { return all[b].at - all[a].at; });
    var list = section.querySelector("ol");
    ids.slice(0, 6).forEach(function (id) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/works/" + encodeURIComponent(id) + "#p-" + all[id].p;
      link.textContent = all[id].title || "Untitled";
      var count = document.createElement("span");
      count.className = "count";
      count.textContent = " (" + Math.round((all[id].f || 0) * 100) + " %)";
      item.appendChild(link);
      item.appendChild(count);
      list.appendChild(item);
    });
    section.hidden = ids.length === 0;
  }

  function track(article) {
    var id = article.getAttribute("data-work");
    var paragraphs = article.querySelectorAll("p[id^='p-']");
    if (!id || !paragraphs.length) { return; }
    var title = (document.getElementById("work-title") || {}).textContent || "";
    var here = document.querySelector("[data-here]");
    var sent = null;
    var timer = null;

    function current() {  // the first paragraph whose bottom is below the top of the window
      var low = 0, high = paragraphs.length - 1;
      while (low < high) {
        var middle = (low + high) >> 1;
        if (paragraphs[middle].getBoundingClientRect().bottom > 0) { high = middle; }
        else { low = middle + 1; }
      }
      return low;
    }
    function position() {
      var n = current();
      var atEnd = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
      return { p: n, f: atEnd ? 1 : n / paragraphs.length };
    }
    function save(leaving) {
      var now = position();
      var all = load();
      var kept = all[id] || {};
      all[id] = { p: now.p, f: now.f, title: title, at: Date.now(), read: !!kept.read };
      store(all);
      if (here) { here.value = String(now.p); }
      if (csrf && (sent === null || sent.p !== now.p)) {
        sent = now;
        fetch("/api/progress/" + encodeURIComponent(id), {
          method: "PUT",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
          body: JSON.stringify({ paragraph: now.p, fraction: now.f }),
          credentials: "same-origin",
          keepalive: !!leaving
        }).catch(function () { sent = null; });
      }
    }
    function later() {
      if (here) { here.value = String(current()); }  // a bookmark made now is made here
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(function () { save(false); }, 1500);
    }

    var saved = load()[id];
    if (!window.location.hash && saved && saved.p > 0 && paragraphs[saved.p]) {
      paragraphs[saved.p].scrollIntoView();
      var notice = document.querySelector("p.resume");
      if (notice) {
        notice.textContent = "Back where you left off. ";
        var start = document.createElement("a");
        start.href = "#work-title";
        start.textContent = "Start from the beginning";
        notice.appendChild(start);
        notice.hidden = false;
      }
    }
    if (here) { here.value = String(current()); }
    window.addEventListener("scroll", later, { passive: true });
    window.addEventListener("pagehide", function () { save(true); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { save(true); }
    });

    var button = document.querySelector("[data-mark-read]");
    if (button) {
      var label = function () {
        button.textContent = (load()[id] || {}).read ? "Mark as not read" : "Mark as read";
      };
      button.hidden = false;
      label();
      button.addEventListener("click", function () {
        var all = load();
        var kept = all[id] || { p: 0, f: 0, title: title };
        kept.read = !kept.read;
        kept.at = Date.now();
        all[id] = kept;
        store(all);
        label();
      });
    }
  }

  continueReading();
  var article = document.querySelector("article.work[data-work]");
  if (article) { track(article); }
}());
