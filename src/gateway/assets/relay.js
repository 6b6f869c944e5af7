// Hands the authorization response back to the widget. See src/gateway/relay.ts.
(function () {
  'use strict';
  var holder = document.getElementById('relay');
  var status = document.getElementById('relay-status');
  var origins = JSON.parse(holder.getAttribute('data-origins') || '[]');
  var params = new URLSearchParams(window.location.search);
  // The code must not linger in the address bar or history.
  if (window.history && window.history.replaceState) window.history.replaceState(null, '', window.location.pathname);

  var state = params.get('state') || '';
  var message = { type: 'parley:authorization_response', state: state, iss: params.get('iss') };
  if (params.get('code')) {
    message.code = params.get('code');
  } else {
    message.error = params.get('error') || 'invalid_request';
    if (params.get('error_description')) message.error_description = params.get('error_description');
  }

  // The widget's state is ("p." | "r.") + base64url(JSON { returnTo, nonce }) (src/widget/state.ts):
  // "p." for a popup sign-in, "r." for a full-page redirect.
  function decodeState(value) {
    if (!/^[pr]\.[A-Za-z0-9_-]+$/.test(value)) return null;
    try {
      var base64 = value.slice(2).replace(/-/g, '+').replace(/_/g, '/');
      var binary = window.atob(base64 + '==='.slice((base64.length + 3) % 4));
      var bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      var payload = JSON.parse(new window.TextDecoder('utf-8', { fatal: true }).decode(bytes));
      return payload && typeof payload.returnTo === 'string' ? payload : null;
    } catch {
      return null;
    }
  }

  // Only back to a page of one of the site's registered origins, over http(s): never anywhere else.
  function registeredPage(returnTo) {
    try {
      var url = new window.URL(returnTo);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
      if (origins.indexOf(url.origin) === -1) return null;
      return url.origin + url.pathname + url.search;
    } catch {
      return null;
    }
  }

  // The response rides in the fragment, which reaches no server and no Referer.
  function returnUrl(page) {
    var fragment = new URLSearchParams();
    var keys = ['state', 'code', 'iss', 'error', 'error_description'];
    for (var i = 0; i < keys.length; i++) {
      if (message[keys[i]]) fragment.set('parley_' + keys[i], message[keys[i]]);
    }
    return page + '#' + fragment.toString();
  }

  var popup = state.indexOf('p.') === 0 || !/^[pr]\./.test(state);
  if (popup && window.opener && !window.opener.closed) {
    for (var i = 0; i < origins.length; i++) {
      try { window.opener.postMessage(message, origins[i]); } catch { /* a closed or navigated opener */ }
    }
    status.textContent = message.error ? 'This window closes by itself.' : 'You are logged in. This window closes by itself.';
    window.setTimeout(function () { window.close(); }, 50);
    return;
  }

  // No opener: the page was redirected here (popup blocked), or a provider's
  // Cross-Origin-Opener-Policy cut this popup off from the blog on the way. Go back to the blog
  // page the state names; the widget there finishes the sign-in.
  var decoded = decodeState(state);
  var page = decoded && registeredPage(decoded.returnTo);
  if (page) {
    status.textContent = 'Returning to the blog…';
    window.location.replace(returnUrl(page));
  } else if (!message.error) {
    status.textContent = 'The comment window was closed. Go back to the blog and log in again.';
  }
  // An error: the page already says what happened and what to do (src/gateway/relay.ts).
})();
