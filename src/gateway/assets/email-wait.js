// Waits in the log-in window for the email link to be confirmed in this browser, then continues.
(function () {
  'use strict';
  var form = document.getElementById('complete');
  if (!form || !window.fetch) return;
  var url = form.getAttribute('data-status-url');
  var live = document.getElementById('live');
  var POLL_MS = 2000;
  function check() {
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : { status: 'unknown' }; })
      .then(function (body) {
        if (body.status === 'confirmed') return form.submit();
        if (body.status === 'dead') {
          live.innerHTML = '';
          var p = document.createElement('p');
          p.className = 'error';
          p.textContent = 'This code and link have expired: send a new code.';
          live.appendChild(p);
          return;
        }
        setTimeout(check, POLL_MS);
      })
      .catch(function () { setTimeout(check, POLL_MS * 2); });
  }
  setTimeout(check, POLL_MS);
})();
