// The block import page: polls the import's progress each second and reloads when it has finished.
(function () {
  var box = document.getElementById("import-progress");
  if (!box || box.dataset.running !== "true") return;
  var bar = document.getElementById("import-bar"), label = document.getElementById("import-status"),
      count = document.getElementById("import-count");
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (s) {
          bar.max = s.total || 1; bar.value = s.done; bar.textContent = s.percent + "%";
          label.textContent = s.status_label;
          count.textContent = s.done + " of " + s.total + (s.phase === "import" ? " rows imported" : " rows checked");
          if (!s.running) { window.location.reload(); return; }
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 1000); });
  }
  window.setTimeout(poll, 1000);
})();
