// The web form of a return (templates/returns/entry.html), which works without JavaScript.
// With it: arrow keys and Enter move through each section's grid like a spreadsheet, and the
// values are checked as one types, by the server's own dry run (the same checks as an upload).
(function () {
  var form = document.getElementById("entry-form");
  if (!form) return;

  function cellsOf(row) {
    return Array.prototype.slice.call(row.querySelectorAll("td"));
  }

  function inputAt(row, index) {
    var cell = row && cellsOf(row)[index];
    return cell ? cell.querySelector(".entry-input") : null;
  }

  function move(input, dRow, dCol) {
    var cell = input.closest("td");
    var row = cell.parentElement;
    var index = cellsOf(row).indexOf(cell);
    if (dRow !== 0) {
      var next = dRow > 0 ? row.nextElementSibling : row.previousElementSibling;
      while (next) {
        var target = inputAt(next, index);
        if (target) return focus(target);
        next = dRow > 0 ? next.nextElementSibling : next.previousElementSibling;
      }
      return false;
    }
    var cells = cellsOf(row);
    for (var i = index + dCol; i >= 0 && i < cells.length; i += dCol) {
      var found = cells[i].querySelector(".entry-input");
      if (found) return focus(found);
    }
    return false;
  }

  function focus(target) {
    target.focus();
    if (target.select) target.select();
    return true;
  }

  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("entry-input")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var note = input.tagName === "TEXTAREA";
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    var moved = false;
    if (event.key === "ArrowDown" && !note) moved = move(input, 1, 0);
    else if (event.key === "ArrowUp" && !note) moved = move(input, -1, 0);
    else if (event.key === "Enter" && !note && !event.shiftKey) moved = move(input, 1, 0) || true;
    else if (event.key === "ArrowRight" && atEnd && !note) moved = move(input, 0, 1);
    else if (event.key === "ArrowLeft" && atStart && !note) moved = move(input, 0, -1);
    if (moved) event.preventDefault();
  });

  // Checking as one types: a dry run of the whole form a moment after the last change.
  var url = form.getAttribute("data-check-url");
  var timer = null;
  var pending = null;
  if (!url || !window.fetch || !window.FormData) return;

  function show(name, messages) {
    var input = document.getElementById(name);
    var box = document.getElementById("err-" + name);
    if (!input || !box) return;
    box.textContent = messages.join(" ");
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== box.id;
    });
    if (messages.length) {
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      box.classList.add("d-block");
      ids.push(box.id);
    } else {
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      box.classList.remove("d-block");
    }
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  function check() {
    var data = new FormData(form);
    data.set("mode", "check");
    if (pending && pending.abort) pending.abort();
    pending = window.AbortController ? new AbortController() : null;
    fetch(url, { method: "POST", body: data, credentials: "same-origin", signal: pending ? pending.signal : undefined })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        var byName = {};
        (result.errors || []).forEach(function (e) {
          if (!e.indicator || !e.breakdown) return;
          var name = (e.breakdown === "Notes" ? "n-" + e.indicator : "v-" + e.indicator + "-" + e.breakdown);
          (byName[name] = byName[name] || []).push(e.message);
        });
        form.querySelectorAll(".invalid-feedback[data-for]").forEach(function (box) {
          show(box.getAttribute("data-for"), byName[box.getAttribute("data-for")] || []);
        });
      })
      .catch(function () { /* offline or aborted: the plain POST still checks everything */ });
  }

  form.addEventListener("input", function (event) {
    if (!event.target.classList || !event.target.classList.contains("entry-input")) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, 700);
  });
})();
