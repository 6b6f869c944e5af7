"""Test driver for docs/examples/python/parley_verify.py, run by Debian's /usr/bin/python3.

Reads one JSON object on stdin: {"issuer", "audience", "site_id", "tokens": [...]}, verifies the
tokens in order with ONE ParleyVerifier (so its key cache and refetch limit are what is tested),
and prints a JSON list: {"ok": true, "commenter": {...}} or {"ok": false, "reason", "status"}.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "examples", "python"))

from parley_verify import ParleyVerifier, TokenRefused, VerifierUnavailable  # noqa: E402

request = json.load(sys.stdin)
verifier = ParleyVerifier(issuer=request["issuer"], audience=request["audience"], site_id=request["site_id"])
results = []
for token in request["tokens"]:
    try:
        results.append({"ok": True, "commenter": verifier.verify(token)})
    except TokenRefused as refused:
        results.append({"ok": False, "reason": refused.reason, "status": refused.status, "message": str(refused)})
    except VerifierUnavailable as unavailable:
        results.append({"ok": False, "reason": "unavailable", "status": 503, "message": str(unavailable)})
json.dump(results, sys.stdout)
