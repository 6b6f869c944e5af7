// The erasure status page, while the comment service has not confirmed: asks every few seconds
// and says "done" in the page's status region once it has (read out once by screen readers,
// where a reloading page would be read again and again). Without script, "Check now" reloads.
(function () {
  'use strict';
  var status = document.getElementById('erasure-status');
  if (!status || !window.fetch) return;
  var url = status.getAttribute('data-status-url');
  var POLL_MS = 3000;
  function check() {
    fetch(url, { credentials: 'omit', headers: { accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : { status: 'unknown' }; })
      .then(function (body) {
        if (body.status !== 'done') return void setTimeout(check, POLL_MS);
        document.title = 'Account erased';
        var heading = document.querySelector('h1');
        if (heading) heading.textContent = 'Your account is erased';
        status.textContent = status.getAttribute('data-done-text');
        var pending = document.getElementById('erasure-pending');
        if (pending) pending.remove();
      })
      .catch(function () { setTimeout(check, POLL_MS * 2); });
  }
  setTimeout(check, POLL_MS);
})();
