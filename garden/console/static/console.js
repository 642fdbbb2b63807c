// hortus console: live updates. The server-sent event stream (/console/events) names what changed; each fragment
// that shows it (data-live-kinds="shoot seed", or data-live-shoot="ns/name") gets an htmx "live" trigger and
// re-renders itself through its own hx-get. Bursts collapse into one refresh per fragment every 400 ms.
(function () {
  "use strict";
  var body = document.body;
  var url = body && body.getAttribute("data-live");
  if (!url || !window.EventSource) { return; }
  var dot = document.getElementById("live-dot");
  var pending = new WeakMap();

  function schedule(el) {
    if (pending.get(el)) { return; }
    pending.set(el, true);
    setTimeout(function () {
      pending.delete(el);
      if (document.body.contains(el)) { htmx.trigger(el, "live"); }
    }, 400);
  }

  function wanted(el, change) {
    var key = el.getAttribute("data-live-shoot");
    if (key) { return change.kind === "shoot" && key === change.namespace + "/" + change.name; }
    var kinds = (el.getAttribute("data-live-kinds") || "").split(/\s+/);
    return kinds.indexOf(change.kind) >= 0;
  }

  function connect() {
    var source = new EventSource(url);
    source.onopen = function () { if (dot) { dot.classList.add("on"); } };
    source.onerror = function () { if (dot) { dot.classList.remove("on"); } };
    source.addEventListener("change", function (event) {
      var change = JSON.parse(event.data);
      var targets = document.querySelectorAll("[data-live-kinds], [data-live-shoot]");
      for (var i = 0; i < targets.length; i++) {
        if (change.kind === "reset" || wanted(targets[i], change)) { schedule(targets[i]); }
      }
    });
  }

  // htmx swaps 4xx answers of actions too: they carry the message to show (e.g. 403 from the authorizer).
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "[4]..", swap: true, error: false },
    { code: "...", swap: false, error: true }
  ];
  connect();
})();
