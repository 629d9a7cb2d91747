// The reading page's behaviour. The page works without it: the cited quote is marked and scrolled to by the
// page itself, "Earlier"/"Later" and the contents are plain links. With it: Telegram's theme inside Telegram,
// one-tap copy of a quote with its citation, and the rest of a long transcript fetched as the reader scrolls.
(function () {
  "use strict";
  var root = document.documentElement;
  var body = document.body;
  var TELEGRAM = "https://telegram.org/js/telegram-web-app.js";
  var COLOR = /^#[0-9a-fA-F]{3,8}$/;

  // -- Telegram: its theme (from the launch parameters at once, then from its script, which may be slow
  // or unreachable: the page never waits for it) ------------------------------------------------------
  function luminance(hex) {
    var h = hex.length === 4 ? hex.replace(/[0-9a-f]/gi, "$&$&").slice(1) : hex.slice(1, 7);
    var n = parseInt(h, 16);
    return (0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) / 255;
  }

  function applyTheme(params, scheme) {
    var any = false;
    Object.keys(params || {}).forEach(function (key) {
      var value = params[key];
      if (/^[a-z_]{1,40}$/.test(key) && typeof value === "string" && COLOR.test(value)) {
        root.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
        any = true;
      }
    });
    if (scheme === "dark" || scheme === "light") {
      root.dataset.scheme = scheme;
    } else if (any && params.bg_color && COLOR.test(params.bg_color)) {
      root.dataset.scheme = luminance(params.bg_color) < 0.5 ? "dark" : "light";
    }
  }

  function telegram() {
    var launch = new URLSearchParams(location.hash.slice(1));
    if (!launch.has("tgWebAppData") && !launch.has("tgWebAppThemeParams") && !launch.has("tgWebAppVersion")) {
      return;
    }
    root.classList.add("in-telegram");
    try {
      applyTheme(JSON.parse(launch.get("tgWebAppThemeParams") || "{}"));
    } catch (e) { /* a malformed theme leaves the system's colours */ }
    var script = document.createElement("script");
    script.src = TELEGRAM;
    script.async = true;
    script.onload = function () {
      var app = window.Telegram && window.Telegram.WebApp;
      if (!app) return;
      applyTheme(app.themeParams, app.colorScheme);
      app.onEvent("themeChanged", function () { applyTheme(app.themeParams, app.colorScheme); });
      app.ready();
      app.expand();
    };
    document.head.appendChild(script);
  }

  // -- the cited quote in view ------------------------------------------------------------------------
  function inView(el) {
    var box = el.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }

  function show(el) {
    el.scrollIntoView({ block: "center" });
    if (el.tabIndex < 0 && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
  }

  // -- copy a quote with its citation ------------------------------------------------------------------
  var status = document.querySelector(".status");

  function say(text) {
    if (!status) return;
    status.textContent = text;
    window.setTimeout(function () { if (status.textContent === text) status.textContent = ""; }, 2500);
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    body.removeChild(area);
    return done;
  }

  function copy(button) {
    var text = button.dataset.copy;
    var done = function () { say(body.dataset.copied); };
    var failed = function () { say(fallbackCopy(text) ? body.dataset.copied : body.dataset.copyFailed); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, failed);
    } else {
      failed();
    }
  }

  // -- the rest of a long transcript, fetched as the reader nears either end ---------------------------
  var partUrl = body.dataset.partUrl;

  function load(link) {
    if (link.dataset.loading) return;
    link.dataset.loading = "1";
    var before = link.parentNode.classList.contains("before");
    var n = Number(link.dataset.part);
    link.textContent = body.dataset.loading;
    fetch(partUrl.replace("{n}", String(n)), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var holder = link.parentNode;
        if (before) {
          var anchor = holder.nextElementSibling;
          var top = anchor ? anchor.getBoundingClientRect().top : 0;
          holder.insertAdjacentHTML("afterend", html);
          if (anchor) window.scrollBy(0, anchor.getBoundingClientRect().top - top);
        } else {
          holder.insertAdjacentHTML("beforebegin", html);
        }
        var next = before ? n - 1 : n + 1;
        if (next < 0 || next >= Number(body.dataset.parts || "0") || document.getElementById("part" + next)) {
          holder.remove();
        } else {
          link.dataset.part = String(next);
          link.href = link.href.replace(/([?&]p=)\d+/, "$1" + next);
          link.textContent = link.dataset.label;
          delete link.dataset.loading;
        }
      })
      .catch(function () { link.textContent = link.dataset.label; delete link.dataset.loading; });
  }

  function scrolling() {
    var links = document.querySelectorAll(".more a[data-part]");
    if (!links.length || !("IntersectionObserver" in window) || !partUrl) return;
    var watch = new IntersectionObserver(function (seen) {
      seen.forEach(function (entry) { if (entry.isIntersecting) load(entry.target); });
    }, { rootMargin: "1200px 0px" });
    links.forEach(function (link) {
      link.dataset.label = link.textContent;
      link.addEventListener("click", function (event) { event.preventDefault(); load(link); });
      watch.observe(link);
    });
  }

  // -- links within the page: scroll to what is loaded, leave the address (Telegram's) alone -------------
  function jumps(event) {
    var link = event.target.closest("a[href]");
    if (!link) return;
    var id = link.dataset.anchor || (link.getAttribute("href").charAt(0) === "#" ? link.getAttribute("href").slice(1) : "");
    var target = id && document.getElementById(id);
    if (!target) return;  // not loaded yet: the link opens the page at its part
    event.preventDefault();
    show(target);
  }

  telegram();
  var cited = document.getElementById("cited");
  if (cited && !inView(cited)) cited.scrollIntoView({ block: "center" });
  document.querySelectorAll("button.copy").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button); });
  });
  document.addEventListener("click", jumps);
  scrolling();
})();
