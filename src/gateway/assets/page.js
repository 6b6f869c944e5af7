// On every gateway page (src/gateway/html.ts).
(function () {
  'use strict';
  // A log-in page restored from the back/forward cache would show forms of a moment that is
  // over: fetch it again, and the server says where the log-in stands now.
  window.addEventListener('pageshow', function (event) {
    if (event.persisted) window.location.reload();
  });
  // "Close this window" only where a script may close it: a popup the widget opened.
  if (window.opener) {
    var buttons = document.querySelectorAll('[data-close-window]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener('click', function () { window.close(); });
    }
  }
})();
