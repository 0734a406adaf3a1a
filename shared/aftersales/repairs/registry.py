"""The merchant's side of the provider network: providers, their technicians and credentials (a
provider's key, a technician's key), and the parts catalogue."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import ValidationError

from aftersales.core.clock import Clock
from aftersales.core.errors import Forbidden, InvalidRequest, NotFound
from aftersales.core.ids import new_id
from aftersales.core.money import Money
from aftersales.repairs.model import JobActor, Part, Party, Provider, Technician
from aftersales.repairs.ports import IssuedProviderKey, ProviderKeys, RepairStore
from aftersales.sla.calendar import BusinessCalendar


class ProviderRegistry:
    def __init__(self, store: RepairStore, keys: ProviderKeys, clock: Clock,
                 id_factory: Callable[[str], str] | None = None) -> None:
        self._store = store
        self._keys = keys
        self._clock = clock
        self._new_id = id_factory or (lambda prefix: new_id(prefix, self._clock.now()))

    # ------------------------------------------------------------------ providers
    def register(self, tenant_id: str, *, name: str, regions: Sequence[str] = (), brands: Sequence[str] = (),
                 skills: Sequence[str] = (), capacity: int = 10) -> Provider:
        provider = Provider(provider_id=self._new_id("rpv"), tenant_id=tenant_id, name=name, regions=list(regions),
                            brands=list(brands), skills=list(skills), capacity=capacity,
                            created_at=self._clock.now())
        self._store.put_provider(provider)
        return provider

    def update(self, tenant_id: str, provider_id: str, **changes: object) -> Provider:
        current = self.provider(tenant_id, provider_id)
        if isinstance(changes.get("availability"), dict):
            changes["availability"] = _calendar(changes["availability"], tenant_id, f"provider:{provider_id}")
        provider = Provider.model_validate({**current.model_dump(), **{k: v for k, v in changes.items()
                                                                       if v is not None}})
        self._store.put_provider(provider)
        return provider

    def provider(self, tenant_id: str, provider_id: str) -> Provider:
        provider = self._store.get_provider(tenant_id, provider_id)
        if provider is None:
            raise NotFound("repairs.provider_not_found", provider_id=provider_id)
        return provider

    def providers(self, tenant_id: str) -> list[Provider]:
        return self._store.providers(tenant_id)

    def issue_key(self, tenant_id: str, provider_id: str, name: str, *, by: str) -> IssuedProviderKey:
        """An API key that acts only as this provider, on the jobs offered to it."""
        self.provider(tenant_id, provider_id)
        return self._keys.issue_provider_key(tenant_id, provider_id, name, by=by)

    def issue_technician_key(self, tenant_id: str, provider_id: str, technician_id: str, name: str, *,
                             by: JobActor) -> IssuedProviderKey:
        """An API key that acts only as this technician, in the field steps of the provider's jobs
        assigned to it. Asked by the merchant (the route admits its admins) or by the provider's own
        key for its own technicians; another provider's technicians do not exist for a provider (404)."""
        self._manages(tenant_id, provider_id, by)
        self.technician(tenant_id, provider_id, technician_id)
        return self._keys.issue_technician_key(tenant_id, provider_id, technician_id, name, by=by.id)

    def revoke_technician_key(self, tenant_id: str, provider_id: str, technician_id: str, key_id: str, *,
                              by: JobActor) -> None:
        """The technician's key stops working at once (the same parties as issue it; an inactive
        technician's keys can still be revoked)."""
        self._manages(tenant_id, provider_id, by)
        self._keys.revoke_technician_key(tenant_id, provider_id, technician_id, key_id, by=by.id)

    def _manages(self, tenant_id: str, provider_id: str, by: JobActor) -> None:
        if by.party == Party.PROVIDER and by.provider_id != provider_id:
            raise NotFound("repairs.provider_not_found", provider_id=provider_id)
        if by.party not in (Party.MERCHANT, Party.PROVIDER):
            raise Forbidden("error.role_not_permitted", required=[Party.MERCHANT.value, Party.PROVIDER.value])
        self.provider(tenant_id, provider_id)

    # ------------------------------------------------------------------ technicians
    def put_technician(self, tenant_id: str, provider_id: str, *, name: str, technician_id: str | None = None,
                       skills: Sequence[str] = (), regions: Sequence[str] = (), active: bool = True,
                       availability: dict | None = None) -> Technician:
        self.provider(tenant_id, provider_id)
        technician_id = technician_id or self._new_id("tech")
        hours = _calendar(availability, tenant_id, f"technician:{technician_id}") if availability else None
        technician = Technician(technician_id=technician_id, provider_id=provider_id,
                                tenant_id=tenant_id, name=name, skills=list(skills), regions=list(regions),
                                active=active, availability=hours)
        self._store.put_technician(technician)
        return technician

    def technicians(self, tenant_id: str, provider_id: str) -> list[Technician]:
        self.provider(tenant_id, provider_id)
        return self._store.technicians(tenant_id, provider_id)

    def technician(self, tenant_id: str, provider_id: str, technician_id: str) -> Technician:
        technician = self._store.get_technician(tenant_id, provider_id, technician_id)
        if technician is None or not technician.active:
            raise NotFound("repairs.technician_not_found", technician_id=technician_id)
        return technician

    # ------------------------------------------------------------------ parts catalogue
    def put_part(self, tenant_id: str, *, part_number: str, name: str, compatible_skus: Sequence[str],
                 unit_cost: Money, return_removed: bool = False) -> Part:
        part = Part(tenant_id=tenant_id, part_number=part_number, name=name, compatible_skus=list(compatible_skus),
                    unit_cost=unit_cost, return_removed=return_removed)
        self._store.put_part(part)
        return part

    def part(self, tenant_id: str, part_number: str) -> Part:
        part = self._store.get_part(tenant_id, part_number)
        if part is None:
            raise NotFound("repairs.part_not_found", part_number=part_number)
        return part

    def parts(self, tenant_id: str) -> list[Part]:
        return self._store.parts(tenant_id)


def _calendar(hours: dict, tenant_id: str, calendar_id: str) -> BusinessCalendar:
    """A provider's or technician's visiting hours (time zone, weekly hours, holidays) as a calendar;
    hours that make no calendar (an unknown zone, overlapping or no intervals) are 422 at the field."""
    try:
        return BusinessCalendar.model_validate({**hours, "tenant_id": tenant_id, "calendar_id": calendar_id})
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise InvalidRequest("repairs.availability_invalid", field=f"availability.{where}".rstrip(".")) from exc
