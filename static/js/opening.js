// The opening of initial price offers (the auction desk, the tranche page): while an opening is queued or under way,
// polls its progress each second (the regulators' API), shows it, and reloads the page once none is running.
(function () {
  var box = document.getElementById("opening-progress");
  if (!box || box.dataset.running !== "true") return;
  function show(s) {
    var label = box.querySelector("[data-opening-label]");
    if (label && s.status_label) label.textContent = s.status_label;
    Object.keys(s.counts || {}).forEach(function (step) {
      var count = box.querySelector('[data-opening-count="' + step + '"]');
      if (count) count.textContent = s.counts[step];
    });
    (s.auctions || []).forEach(function (a) {
      var cell = document.querySelector('[data-opening-auction="' + a.auction + '"]');
      if (cell) cell.textContent = a.status_label;
    });
  }
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (s) {
          show(s);
          if (!s.running) { window.location.reload(); return; }
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 1000); });
  }
  window.setTimeout(poll, 1000);
})();
