// The font-size switch (A− / A+), remembered in this browser. Same-origin, no inline script.
(function () {
  var root = document.documentElement, key = "zixun-font-step", max = 3;
  function get() {
    try { return Math.max(0, Math.min(max, parseInt(localStorage.getItem(key), 10) || 0)); } catch (e) { return 0; }
  }
  function apply(step) {
    for (var i = 1; i <= max; i++) root.classList.toggle("fs-" + i, step === i);
    try { localStorage.setItem(key, String(step)); } catch (e) {}
  }
  apply(get());
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("[data-font]");
    if (!b) return;
    apply(Math.max(0, Math.min(max, get() + (b.getAttribute("data-font") === "up" ? 1 : -1))));
  });
  var switches = document.querySelectorAll(".fontsize");
  for (var i = 0; i < switches.length; i++) switches[i].hidden = false;
})();
