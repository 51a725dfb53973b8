"""API tokens: made, checked and revoked here, and nowhere else.

A token reads `wgt_<prefix>_<secret>`. The prefix is stored in the clear so a
token can be found (and recognised in lists and logs); only the SHA-256 of the
whole token is stored, so the token is shown once, when it is made. Tokens are
long random strings, so a fast hash is enough (no password hashing needed), and
hashes are compared in constant time. A token expires API_TOKEN_DAYS after it is
made (a year by default; shown when it is made) and records when it was last used.
"""

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import string

from django.utils import timezone

from ..models import ApiToken

logger = logging.getLogger(__name__)

SCHEME = "wgt"
PREFIX_LENGTH = 10
# Letters and digits only, so that "_" can separate the parts of a token.
PREFIX_ALPHABET = string.ascii_lowercase + string.digits
SECRET_BYTES = 32
# Writing last_used_at on every call would turn every read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _hash(plaintext):
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _new_prefix():
    while True:
        prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix


def issue_token(*, agency, name, by):
    """A new token for `agency`: (ApiToken, plaintext). The plaintext is not kept."""
    prefix = _new_prefix()
    plaintext = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ApiToken(
        agency=agency, name=name, prefix=prefix, key_hash=_hash(plaintext), created_by=by
    )
    token.full_clean()
    token.save()
    logger.info("API token %s… for %s issued by %s", prefix, agency, by)
    return token, plaintext


def authenticate(plaintext):
    """The active token this plaintext belongs to, or None."""
    scheme, _, rest = (plaintext or "").partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != SCHEME or len(prefix) != PREFIX_LENGTH or not secret:
        return None
    token = ApiToken.objects.active().select_related("agency").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(plaintext)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # update(), not save(): touches neither updated_at nor anything else.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke_token(*, token, by):
    """Refuse the token from now on. Revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        logger.info("API token %s… of %s revoked by %s", token.prefix, token.agency_id, by)
    return token
