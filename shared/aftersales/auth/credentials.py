"""Credential formats and checks (pure: no I/O; the authorizer supplies the stored records).

- Tenant API key:  "ak_<key id>_<secret>"; only SHA-256(secret) is stored. Secrets carry 256
  bits of entropy, so a fast hash is safe (no password-style stretching needed). A key carries
  scopes (`ApiKeyScope`): what it may do, storefront only unless asked for more.
- Tokens: JWT HS256 signed with a per-tenant signing key (header `kid`), claims
  iss/aud/sub/tid/typ/exp/iat (+ cid for customers, roles for staff). Storefronts get customer
  tokens from POST /auth/customer-tokens, or mint them with the same key themselves. Whoever minted
  it, a token is accepted only within its kind's maximum lifetime (exp - iat) and never with an
  iat in the future beyond the leeway, both against the injectable clock.
- A request carries one credential: an API key together with an Authorization header is refused
  (400), never resolved in favour of one of them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from aftersales.core.errors import ConflictingCredentials, Unauthorized
from aftersales.tickets.model import STAFF_ROLES, Role

ISSUER = "aftersales"
AUDIENCE = "aftersales-api"
MAX_CUSTOMER_TTL = timedelta(hours=1)
MAX_STAFF_TTL = timedelta(hours=12)
MAX_TTL = {"customer": MAX_CUSTOMER_TTL, "staff": MAX_STAFF_TTL}
LEEWAY_SECONDS = 30
# Authorizer context flag: the request carried two credentials and is let through only for the API
# to answer 400 (a Lambda authorizer itself can only allow, deny or answer 401).
CONFLICTING_CREDENTIALS = "conflicting_credentials"


class ApiKeyScope(StrEnum):
    """What a tenant API key may do. Scopes add up; a key without any gets STOREFRONT."""

    STOREFRONT = "storefront"  # orders, tickets, customer tokens for its customers
    STAFF_TOKEN_ISSUER = "staff_token_issuer"  # staff tokens for registered staff (e.g. an SSO bridge)
    ADMIN = "admin"  # staff users and API keys
    REPAIR_PROVIDER = "repair_provider"  # a repair provider's key: the jobs offered to its provider, nothing else
    REPAIR_TECHNICIAN = "repair_technician"  # a provider's technician's key: that technician's jobs, nothing else


DEFAULT_SCOPES = frozenset({ApiKeyScope.STOREFRONT})
# Scopes a key gets only for a provider (and a technician) of the repairs context, never by asking for them.
REPAIR_SCOPES = frozenset({ApiKeyScope.REPAIR_PROVIDER, ApiKeyScope.REPAIR_TECHNICIAN})


@dataclass(frozen=True)
class Principal:
    """What the authorizer proved; handed to handlers through the request context."""

    tenant_id: str
    kind: str  # api_key | customer | staff
    subject_id: str
    roles: frozenset[Role]
    customer_id: str | None = None
    scopes: frozenset[ApiKeyScope] = frozenset()  # API keys only
    provider_id: str | None = None  # a repair provider's (or its technician's) key: the provider it acts for
    technician_id: str | None = None  # a technician's key: the technician whose jobs it acts on

    def to_context(self) -> dict[str, str]:
        return {"tenant_id": self.tenant_id, "principal_kind": self.kind, "subject_id": self.subject_id,
                "roles": ",".join(sorted(r.value for r in self.roles)),
                "scopes": ",".join(sorted(s.value for s in self.scopes)),
                "customer_id": self.customer_id or "", "provider_id": self.provider_id or "",
                "technician_id": self.technician_id or ""}

    @classmethod
    def from_context(cls, context: dict[str, object]) -> Principal:
        if not context.get("tenant_id"):  # e.g. a refused request's context: no principal at all
            raise Unauthorized("error.missing_credentials")
        roles = frozenset(Role(r) for r in str(context.get("roles", "")).split(",") if r)
        scopes = frozenset(ApiKeyScope(s) for s in str(context.get("scopes") or "").split(",") if s)
        return cls(tenant_id=str(context["tenant_id"]), kind=str(context["principal_kind"]),
                   subject_id=str(context["subject_id"]), roles=roles,
                   customer_id=str(context.get("customer_id") or "") or None, scopes=scopes,
                   provider_id=str(context.get("provider_id") or "") or None,
                   technician_id=str(context.get("technician_id") or "") or None)


def single_credential(api_key: str | None, authorization: str | None) -> tuple[str | None, str | None]:
    """(API key, bearer token) of a request that carries at most one credential. An API key next to
    any Authorization header is ambiguous and refused, whichever of the two is valid."""
    api_key = (api_key or "").strip() or None
    authorization = (authorization or "").strip() or None
    if api_key and authorization:
        raise ConflictingCredentials("error.conflicting_credentials")
    if authorization is None:
        return api_key, None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("error.malformed_credentials")
    return None, token.strip()


# ---------------------------------------------------------------------- API keys
def new_api_key(key_id: str) -> tuple[str, str]:
    """Returns (the key to hand out once, the hash to store)."""
    secret = secrets.token_urlsafe(32)
    return f"ak_{key_id}_{secret}", hash_secret(secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_api_key(api_key: str) -> tuple[str, str]:
    prefix, _, rest = api_key.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != "ak" or not key_id or not secret:
        raise Unauthorized("error.malformed_credentials")
    return key_id, secret


def api_key_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)


# ---------------------------------------------------------------------- tokens
def new_signing_secret() -> str:
    return secrets.token_urlsafe(48)


def _jwt():
    # Imported on first use: PyJWT pulls in cryptography (~45 ms) that most cold starts never need.
    import jwt

    return jwt


def mint_token(*, tenant_id: str, kid: str, secret: str, subject: str, kind: str, now: datetime,
               ttl: timedelta, roles: frozenset[Role] = frozenset(), customer_id: str | None = None) -> str:
    ttl = min(ttl, MAX_TTL[kind])
    claims: dict[str, object] = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "tid": tenant_id,
                                 "typ": kind, "iat": int(now.timestamp()),
                                 "exp": int((now + ttl).timestamp())}
    if kind == "customer":
        claims["cid"] = customer_id or subject
    else:
        claims["roles"] = sorted(r.value for r in roles)
    return _jwt().encode(claims, secret, algorithm="HS256", headers={"kid": kid})


def unverified_routing(token: str) -> tuple[str, str]:
    """(tenant id, key id) to look up the verification key; nothing here is trusted yet."""
    jwt = _jwt()
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise Unauthorized("error.malformed_credentials") from exc
    tenant_id, kid = claims.get("tid"), header.get("kid")
    if not isinstance(tenant_id, str) or not isinstance(kid, str):
        raise Unauthorized("error.malformed_credentials")
    return tenant_id, kid


def verify_token(token: str, *, secret: str, tenant_id: str, now: datetime) -> Principal:
    jwt = _jwt()
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER,
                            leeway=LEEWAY_SECONDS, options={"require": ["exp", "iat", "sub", "tid", "typ"],
                                                            "verify_iat": False, "verify_exp": False})
    except jwt.PyJWTError as exc:
        raise Unauthorized("error.invalid_token") from exc
    kind = claims["typ"]
    if claims["tid"] != tenant_id or kind not in MAX_TTL:
        raise Unauthorized("error.invalid_token")
    _check_times(claims["iat"], claims["exp"], MAX_TTL[kind], now)
    if kind == "customer":
        return Principal(tenant_id, "customer", claims["sub"], frozenset({Role.CUSTOMER}),
                         customer_id=str(claims.get("cid") or claims["sub"]))
    if kind == "staff":
        roles = frozenset(Role(r) for r in claims.get("roles", []) if r in {s.value for s in STAFF_ROLES})
        if not roles:
            raise Unauthorized("error.invalid_token")
        return Principal(tenant_id, "staff", claims["sub"], roles)
    raise Unauthorized("error.invalid_token")


def _check_times(iat: object, exp: object, max_lifetime: timedelta, now: datetime) -> None:
    """iat/exp against the injectable clock (PyJWT's own checks use the wall clock and know no
    maximum lifetime): a token signed with a valid key is still refused when it claims to be issued
    in the future or to live longer than its kind may, whoever minted it."""
    if not all(isinstance(t, int | float) and not isinstance(t, bool) for t in (iat, exp)):
        raise Unauthorized("error.invalid_token")
    if iat > now.timestamp() + LEEWAY_SECONDS:
        raise Unauthorized("error.token_issued_in_future")
    if exp - iat > max_lifetime.total_seconds():
        raise Unauthorized("error.token_lifetime_too_long")
    if exp + LEEWAY_SECONDS < now.timestamp():
        raise Unauthorized("error.token_expired")
