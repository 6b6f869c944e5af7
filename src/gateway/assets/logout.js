// The logout popup opened by the widget's "Log Out" (src/gateway/oidc.ts, rpInitiatedLogout).
(function () {
  'use strict';
  // "Cancel" on the confirmation page: nothing is ended, the window just goes away.
  var cancel = document.getElementById('logout-cancel');
  if (cancel) {
    cancel.hidden = false;
    cancel.addEventListener('click', function () { window.close(); });
  }
  // The success page closes itself; if the browser does not let it, its text says to close it.
  var done = document.getElementById('logout-done');
  if (done && window.opener) {
    window.setTimeout(function () { window.close(); }, 1500);
  }
})();
