"""Customer identity linking across channels (pure, union-find) and ticket aggregation keys.

Identifiers: platform user ids (per platform), order ids (per tenant), e-mail (lower-cased),
phone (E.164-ish digits). Two identifiers observed together (same message, same order) belong to
one customer; the customer id is the smallest identifier key of its set, so it is stable under
the order in which links arrive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from pydantic import ConfigDict

from aftersales.core.model import DomainModel


class IdentityKind(StrEnum):
    PLATFORM_USER = "platform_user"
    ORDER = "order"
    EMAIL = "email"
    PHONE = "phone"


class Identity(DomainModel):
    model_config = ConfigDict(frozen=True)

    kind: IdentityKind
    value: str
    namespace: str = ""  # platform name for user ids, tenant for order ids

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.namespace}:{self.value}"


def identity_from_key(key: str) -> Identity | None:
    """The Identity behind an identity key (`<kind>:<namespace>:<value>`), or None if not one."""
    kind, _, rest = key.partition(":")
    namespace, _, value = rest.partition(":")
    try:
        return Identity(kind=IdentityKind(kind), namespace=namespace, value=value) if value else None
    except ValueError:
        return None


def normalize_email(raw: str) -> str:
    return raw.strip().lower()


def normalize_phone(raw: str, default_country_code: str = "86") -> str:
    """'+86 138-0013-8000', '0086 13800138000', '13800138000' -> '+8613800138000'.

    E.164-ish: keep digits; '00' international prefix -> '+'; a national number (no prefix)
    gets the tenant's default country code; a single trunk '0' is dropped."""
    text = raw.strip().lstrip("( ")
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    digits = digits.removeprefix("0")
    return "+" + default_country_code + digits


def email_identity(raw: str) -> Identity:
    return Identity(kind=IdentityKind.EMAIL, value=normalize_email(raw))


def phone_identity(raw: str, default_country_code: str = "86") -> Identity:
    return Identity(kind=IdentityKind.PHONE, value=normalize_phone(raw, default_country_code))


def platform_user_identity(platform: str, user_id: str) -> Identity:
    return Identity(kind=IdentityKind.PLATFORM_USER, namespace=platform.lower(), value=user_id.strip())


def order_identity(tenant_id: str, order_id: str) -> Identity:
    return Identity(kind=IdentityKind.ORDER, namespace=tenant_id, value=order_id.strip())


class IdentityGraph:
    """Union-find over identity keys with path compression; deterministic representatives."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._parent)

    def __contains__(self, identity: object) -> bool:
        return isinstance(identity, Identity) and identity.key in self._parent

    def _find(self, key: str) -> str:
        """Root of `key`; an identity never linked is its own root (and is not stored)."""
        if key not in self._parent:
            return key
        root = key
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[key] != root:
            self._parent[key], key = root, self._parent[key]
        return root

    def add(self, identity: Identity) -> None:
        self._parent.setdefault(identity.key, identity.key)

    def link(self, *identities: Identity) -> str:
        """Declare that all given identities are the same customer; returns the customer id."""
        if not identities:
            raise ValueError("link needs at least one identity")
        for identity in identities:
            self.add(identity)
        roots = {self._find(i.key) for i in identities}
        winner = min(roots)  # smallest key wins so the result does not depend on arrival order
        for root in roots:
            self._parent[root] = winner
        return self.customer_id(identities[0])

    def customer_id(self, identity: Identity) -> str:
        return "cus:" + self._find(identity.key)

    def same_customer(self, a: Identity, b: Identity) -> bool:
        return self._find(a.key) == self._find(b.key)


def link_all(observations: Iterable[Iterable[Identity]]) -> IdentityGraph:
    graph = IdentityGraph()
    for seen_together in observations:
        group = tuple(seen_together)
        if group:
            graph.link(*group)
    return graph


class IssueCategory(StrEnum):
    NOT_RECEIVED = "not_received"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    QUALITY = "quality"
    RETURN_REFUND = "return_refund"
    REFUND_ONLY = "refund_only"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    SHIPPING_FEE = "shipping_fee"
    COMPLAINT = "complaint"
    OTHER = "other"


def aggregation_key(tenant_id: str, order_id: str, category: IssueCategory) -> str:
    """Same tenant + order + issue from two channels -> one ticket (used as a conditional-put key)."""
    return f"{tenant_id}#{order_id.strip()}#{category.value}"
