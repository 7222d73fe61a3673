// The library's filters: folded behind their "Filters" button on a narrow screen, so the
// first screen shows results; open (and the button hidden, by CSS) on a wide one.
(function () {
  var boxes = document.querySelectorAll("details[data-fold-below]");
  function fit(first) {
    boxes.forEach(function (box) {
      var narrow = window.innerWidth < Number(box.getAttribute("data-fold-below"));
      if (!narrow) box.open = true;
      else if (first) box.open = false;
    });
  }
  fit(true);
  window.addEventListener("resize", function () { fit(false); });
})();
