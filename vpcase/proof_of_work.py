"""The proof of work the public forms ask for under load: ALTCHA, self-hosted.

The server signs a challenge (the `altcha` package), the page carries it, and the vendored
widget (static/vendor/altcha/) solves it in the visitor's browser: no third party is involved,
nothing is fetched from elsewhere, and nothing about the visitor is stored. A solution is used
once: its challenge's signature is claimed in the cache until the challenge expires.
Challenges expire on a whole hour, between one and two hours after the page was shown, so that
the claim's expiry tells no more than the hour.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time

import altcha
from django.conf import settings
from django.utils.crypto import salted_hmac

from vpcase import ratelimit

ALGORITHM = "PBKDF2/SHA-256"
FIELD = "altcha"
MAX_PAYLOAD = 4000  # a real payload is about 500 characters


def _secret() -> str:
    return salted_hmac("vpcase.proof_of_work", "altcha-challenge").hexdigest()


def challenge_json() -> str:
    """A new signed challenge, as the widget's `challenge` attribute takes it."""
    expires_at = (int(time.time()) // 3600 + 2) * 3600
    challenge = altcha.create_challenge(
        ALGORITHM, settings.RATELIMIT_POW_COST, expires_at=expires_at, hmac_secret=_secret()
    )
    return json.dumps(challenge.to_dict(), separators=(",", ":"))


def verified(payload: str) -> bool:
    """Is this a solution of a challenge we signed, not expired and not used before?"""
    if not payload or len(payload) > MAX_PAYLOAD:
        return False
    try:
        if not altcha.verify_solution(payload, _secret()).verified:
            return False
        parameters = json.loads(base64.b64decode(payload))["challenge"]
        signature, expires_at = parameters["signature"], int(parameters["parameters"]["expiresAt"])
    except (ValueError, KeyError, TypeError):
        return False
    return ratelimit.claim_once(hashlib.sha256(signature.encode()).hexdigest()[:32], expires_at)
