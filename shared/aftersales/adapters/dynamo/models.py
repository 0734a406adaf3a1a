"""PynamoDB item models for the tickets, orders and tenants tables.

Key design (every key starts with the tenant):
  tickets  pk=<tenant>#TICKET#<id>   sk=HDR | LINE#<line_id> | LOG#<seq:08d> | TL#<seq:08d> | MSG#<at>#<id>
           gsi1: <tenant>#T           / <ticket id>     all tickets, newest first (ULID order)
           gsi2: <tenant>#C#<customer>/ <ticket id>     a customer's tickets
           gsi3: <tenant>#S#<status>  / <updated_at>     a status queue for agents
  orders   pk=<tenant>#ORDER#<id>    sk=ORDER
  tenants  pk=TENANT#<id>  sk=PROFILE | STAFF#<user id>;  pk=APIKEY#<key id> sk=APIKEY
           gsi1: TENANT#<tenant>#APIKEYS / <key id>       a tenant's API keys, oldest first
"""

from __future__ import annotations

from pynamodb.attributes import (
    DiscriminatorAttribute,
    JSONAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

UNBOUND = "unbound-table"


class Gsi1(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Gsi3(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi3"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class TicketTableItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    tenant_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()


class TicketHeaderItem(TicketTableItem, discriminator="ticket"):
    status = UnicodeAttribute()
    version = NumberAttribute()
    customer_id = UnicodeAttribute()
    doc = JSONAttribute()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()
    gsi3pk = UnicodeAttribute()
    gsi3sk = UnicodeAttribute()
    by_tenant = Gsi1()
    by_customer = Gsi2()
    by_status = Gsi3()


class TicketLineItem(TicketTableItem, discriminator="line"):
    doc = JSONAttribute()


class AuditItem(TicketTableItem, discriminator="audit"):
    """Also the source of domain events: the stream publisher forwards these INSERTs."""

    seq = NumberAttribute()
    event = UnicodeAttribute()
    ticket_type = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    entry = JSONAttribute()


class TimelineItem(TicketTableItem, discriminator="timeline"):
    seq = NumberAttribute()
    event = UnicodeAttribute()
    at = UnicodeAttribute()
    status = UnicodeAttribute()


class ConversationMessageItem(TicketTableItem, discriminator="message"):
    """A channel message on the ticket (sk = MSG#<at>#<id>, after LOG). Defined here, with
    the other kinds, so a query through TicketTableItem always knows the discriminator."""

    doc = JSONAttribute()


class OrderItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    tenant_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    version = NumberAttribute()
    rev = NumberAttribute(default=0)  # bumped by every write: the optimistic lock for reservations
    doc = JSONAttribute()
    reserved = MapAttribute(default=dict)  # line id -> quantity held by open tickets
    ticket_ids = UnicodeSetAttribute(null=True)
    # gsi1: <tenant>#PAY#<payment reference> / <order id> (disputes find their order)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_payment = Gsi1()


class TenantTableItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


class TenantItem(TenantTableItem, discriminator="tenant"):
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    default_locale = UnicodeAttribute(default="en")
    signing_keys = JSONAttribute(default=list)  # [{kid, secret, status, created_at}]


class ApiKeyItem(TenantTableItem, discriminator="api_key"):
    tenant_id = UnicodeAttribute()
    key_id = UnicodeAttribute()
    secret_sha256 = UnicodeAttribute()
    name = UnicodeAttribute()
    status = UnicodeAttribute(default="active")
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)  # absent on keys issued before scopes existed
    scopes = UnicodeSetAttribute(null=True)  # absent: storefront
    previous_secret_sha256 = UnicodeAttribute(null=True)
    previous_valid_until = UnicodeAttribute(null=True)
    rotated_at = UnicodeAttribute(null=True)
    rotated_by = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    provider_id = UnicodeAttribute(null=True)  # a repair provider's key (or its technician's)
    technician_id = UnicodeAttribute(null=True)  # a technician's key
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_tenant = Gsi1()


class StaffItem(TenantTableItem, discriminator="staff"):
    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    display_name = UnicodeAttribute()
    roles = UnicodeSetAttribute()
    status = UnicodeAttribute(default="active")


def bind(tickets_table: str, orders_table: str, tenants_table: str) -> None:
    """Point the models at real tables (composition root only)."""
    for model, name in ((TicketTableItem, tickets_table), (OrderItem, orders_table),
                        (TenantTableItem, tenants_table)):
        if model.Meta.table_name != name:
            model.Meta.table_name = name  # PynamoDB reconnects when the name changes
