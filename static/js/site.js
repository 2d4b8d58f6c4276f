// Every page: a select marked data-submit-on-change (the language) sends its form when changed.
// A file, not an inline handler, so the Content Security Policy needs no 'unsafe-inline' for scripts.
document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
