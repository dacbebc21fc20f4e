/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  // Focus the error summary after a refused form so screen readers announce it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
