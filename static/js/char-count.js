/* Counts characters in text areas that have a limit (privacy.forms.CountedTextarea).
 *
 * The page says the limit in words ("Up to 2,000 characters."); this turns it
 * into a count as one types or pastes ("143 of 2,000 characters"). Nothing is
 * cut: the server refuses text over the limit and gives it back to shorten.
 * The hint describes the text area (aria-describedby), so a screen reader
 * reads the count when the text area is focused; crossing the limit is also
 * announced once, politely. The words come translated from the page.
 */
(function () {
  "use strict";

  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return name in values ? numbers.format(values[name]) : whole;
    });
  }

  function countOf(text) {
    // Characters as the server counts them (code points, a line break is one).
    return Array.from(text).length;
  }

  function attach(area) {
    var hint = document.getElementById(area.getAttribute("data-count-hint"));
    var limit = parseInt(area.getAttribute("data-max-chars"), 10);
    if (!hint || !limit) {
      return;
    }
    // A separate, silent-until-needed region: announcing every keystroke would drown the typing.
    var announcer = document.createElement("span");
    announcer.className = "visually-hidden";
    announcer.setAttribute("role", "status");
    hint.insertAdjacentElement("afterend", announcer);
    var wasOver = false;

    function update() {
      var count = countOf(area.value);
      var over = count > limit;
      var text = fill(hint.getAttribute(over ? "data-over-text" : "data-count-text"), {
        count: count,
        limit: limit,
        over: count - limit,
      });
      hint.textContent = text;
      hint.classList.toggle("over", over);
      if (over !== wasOver) {
        announcer.textContent = text;
        wasOver = over;
      }
    }

    area.addEventListener("input", update);
    update();
  }

  function start() {
    document.querySelectorAll("textarea[data-max-chars][data-count-hint]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
