// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  var add = document.querySelector("[data-add-row]");
  if (add) {
    add.addEventListener("click", function () {
      var body = document.querySelector("#element-table tbody");
      var counter = document.getElementById("element-rows");
      var last = body.rows[body.rows.length - 1];
      var index = Number(counter.value);
      var row = last.cloneNode(true);
      row.querySelectorAll("input, select").forEach(function (el) {
        el.name = el.name.replace(/\[\d+\]/, "[" + index + "]");
        el.id = el.id.replace(/-\d+-/, "-" + index + "-");
        el.value = "";
        el.removeAttribute("aria-invalid");
        el.removeAttribute("aria-describedby");
      });
      row.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
      body.appendChild(row);
      counter.value = String(index + 1);
      row.querySelector("input").focus();
    });
  }
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
