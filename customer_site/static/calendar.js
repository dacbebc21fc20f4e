/* Booking calendar enhancement: load a day's free times in place and move between days with the arrow keys.
   Without this file every day is a plain link to a server-rendered page with the same times. */
(function () {
  "use strict";
  var table = document.getElementById("calendar");
  var region = document.getElementById("times");
  if (!table || !region || !window.fetch) { return; }
  var days = Array.prototype.slice.call(table.querySelectorAll("a.day"));

  function choose(link, focusTimes) {
    var url = link.getAttribute("href").split("#")[0];
    var sep = url.indexOf("?") >= 0 ? "&" : "?";
    region.setAttribute("aria-busy", "true");
    fetch(url + sep + "fragment=times", { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        region.replaceChildren.apply(region, Array.prototype.slice.call(doc.body.childNodes));
        region.removeAttribute("aria-busy");
        days.forEach(function (d) { d.classList.remove("chosen"); d.removeAttribute("aria-current"); });
        link.classList.add("chosen");
        link.setAttribute("aria-current", "date");
        if (window.history && history.replaceState) { history.replaceState(null, "", url + "#times"); }
        if (focusTimes) {
          var first = region.querySelector("input[name=start]");
          (first || region).focus();
        }
      })
      .catch(function () { window.location.href = link.getAttribute("href"); });
  }

  table.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.day") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    choose(link, event.detail === 0);  // keyboard activation (Enter) moves focus to the times
  });

  // Arrow keys: left/right one free day back/forward, up/down the nearest free day a week away.
  table.addEventListener("keydown", function (event) {
    var index = days.indexOf(document.activeElement);
    if (index < 0) { return; }
    var step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7, Home: -99, End: 99 }[event.key];
    if (!step) { return; }
    event.preventDefault();
    var target;
    if (Math.abs(step) === 1) {
      target = days[index + step];
    } else if (Math.abs(step) === 99) {
      target = step < 0 ? days[0] : days[days.length - 1];
    } else {
      var current = new Date(days[index].getAttribute("data-date") + "T12:00:00");
      var wanted = current.getTime() + step * 86400000;
      var best = null;
      days.forEach(function (d) {
        var t = new Date(d.getAttribute("data-date") + "T12:00:00").getTime();
        if ((step > 0 ? t >= wanted : t <= wanted) && (!best || Math.abs(t - wanted) < Math.abs(best.t - wanted))) {
          best = { d: d, t: t };
        }
      });
      target = best ? best.d : null;
    }
    if (target) { target.focus(); }
  });
})();
