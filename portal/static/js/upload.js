// Upload with a progress bar: the form still works without JavaScript.
(function () {
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var box = document.getElementById("upload-progress");
  var bar = box.querySelector(".progress-bar");
  var clicked = null;
  form.querySelectorAll("button[name=mode]").forEach(function (b) {
    b.addEventListener("click", function () { clicked = b; });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    if (clicked) data.set("mode", clicked.value);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    box.classList.remove("d-none");
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round((100 * e.loaded) / e.total);
      bar.style.width = pct + "%";
      box.setAttribute("aria-valuenow", pct);
      if (pct >= 100) bar.textContent = bar.getAttribute("data-checking");
    });
    xhr.addEventListener("load", function () {
      var target = xhr.responseURL || window.location.href;
      if (target !== window.location.href) window.history.pushState({}, "", target);
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () { form.submit(); });
    xhr.send(data);
  });
})();
