// Hands the authorization response to the widget that opened this popup. See src/gateway/relay.ts.
(function () {
  'use strict';
  var holder = document.getElementById('relay');
  var status = document.getElementById('relay-status');
  var origins = JSON.parse(holder.getAttribute('data-origins') || '[]');
  var params = new URLSearchParams(window.location.search);
  // The code must not linger in the address bar or history.
  if (window.history && window.history.replaceState) window.history.replaceState(null, '', window.location.pathname);

  var message = { type: 'parley:authorization_response', state: params.get('state'), iss: params.get('iss') };
  if (params.get('code')) {
    message.code = params.get('code');
  } else {
    message.error = params.get('error') || 'invalid_request';
    if (params.get('error_description')) message.error_description = params.get('error_description');
  }

  if (window.opener && !window.opener.closed) {
    for (var i = 0; i < origins.length; i++) {
      try { window.opener.postMessage(message, origins[i]); } catch { /* a closed or navigated opener */ }
    }
    status.textContent = 'Signed in. This window closes by itself.';
    window.setTimeout(function () { window.close(); }, 50);
  } else {
    status.textContent = 'The comment window was closed. Go back to the blog and sign in again.';
  }
})();
