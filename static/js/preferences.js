/* Keeps keyboard focus on the switch that was pressed on "Your AI choices".
 *
 * htmx replaces the choices in place after a switch, and with them the
 * button that had focus, which would leave focus on the page's body: a
 * keyboard or screen-reader user would have to find their place again. This
 * remembers the pressed switch (by its id) and focuses its replacement. What
 * changed is announced by the page's live region (#preferences-status),
 * which the server's answer fills in. Without JavaScript none of this runs:
 * the form posts and the page reloads with a message.
 */
(function () {
  "use strict";

  var pressed = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    var button = form && form.querySelector ? form.querySelector("button[id]") : null;
    pressed = button ? button.id : null;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!pressed || !event.detail.target || event.detail.target.id !== "preferences-body") {
      return;
    }
    var again = document.getElementById(pressed);
    pressed = null;
    if (again) {
      again.focus();
      return;
    }
    // The switch is gone (e.g. "Always a person" is on): the section's heading keeps the place.
    var heading = document.getElementById("purposes-title");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });
})();
