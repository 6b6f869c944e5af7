"""A tiny WSGI comment endpoint guarded by parley_verify: who is posting, or 401/403/503.

Run it with any WSGI server (`gunicorn wsgi_app:application`), or for a quick try with the
standard library's wsgiref:

    PARLEY_ISSUER=http://localhost:4000 PARLEY_COMMENTS_URL=http://localhost:4100 \
    PARLEY_SITE_ID=demo-blog PORT=8000 python3 wsgi_app.py
"""

import json
import os

from parley_verify import ParleyVerifier, TokenRefused, VerifierUnavailable

verifier = ParleyVerifier(
    issuer=os.environ["PARLEY_ISSUER"],
    audience=os.environ["PARLEY_COMMENTS_URL"],
    site_id=os.environ["PARLEY_SITE_ID"],
)


def _answer(start_response, status, body, headers=()):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers])
    return [data]


def application(environ, start_response):
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _answer(start_response, "401 Unauthorized", {"error": "sign_in_required"}, [("WWW-Authenticate", 'Bearer realm="comments"')])
    try:
        commenter = verifier.verify(token.strip())
    except TokenRefused as refused:
        status = "403 Forbidden" if refused.status == 403 else "401 Unauthorized"
        # The reason goes to your log; the client learns only the RFC 6750 error code.
        environ["wsgi.errors"].write(f"parley token refused: {refused}\n")
        return _answer(start_response, status, {"error": refused.error}, [("WWW-Authenticate", f'Bearer error="{refused.error}"')])
    except VerifierUnavailable as unavailable:
        environ["wsgi.errors"].write(f"parley verifier unavailable: {unavailable}\n")
        return _answer(start_response, "503 Service Unavailable", {"error": "try_again"}, [("Retry-After", "5")])
    # The commenter is (site, sub): keep both with the comment; show name and picture.
    return _answer(start_response, "201 Created", {"by": commenter["name"], "site": commenter["site"], "sub": commenter["sub"]})


if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    server = make_server("127.0.0.1", int(os.environ.get("PORT", "8000")), application)
    print(f"listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()
