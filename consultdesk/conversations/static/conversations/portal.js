// The client portal reports that a person is looking at the summary: once the page has
// been visible for a moment, or at the first touch, scroll or key. Link previewers
// (WeChat, WeCom, Slack, mail scanners) fetch the page but run no script, so they are
// never counted. The report is a POST with Django's CSRF token to the same signed URL.
(function () {
  "use strict";
  var marker = document.getElementById("portal-seen");
  if (!marker) return;
  var VISIBLE_FOR_MS = 1500;
  var sent = false;
  var timer = null;

  function send() {
    if (sent) return;
    sent = true;
    clearTimeout(timer);
    var data = new FormData();
    data.append("csrfmiddlewaretoken", marker.dataset.csrf);
    if (navigator.sendBeacon && navigator.sendBeacon(marker.dataset.url, data)) return;
    fetch(marker.dataset.url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      keepalive: true,
    }).catch(function () {});  // a lost report is a lost "viewed" line, nothing more
  }

  function watch() {
    clearTimeout(timer);
    if (document.visibilityState === "visible") timer = setTimeout(send, VISIBLE_FOR_MS);
  }

  document.addEventListener("visibilitychange", watch);
  ["pointerdown", "keydown", "touchstart", "wheel", "scroll"].forEach(function (name) {
    window.addEventListener(name, send, { once: true, passive: true });
  });
  watch();
})();
