"""Which model reads a tenant's reviews, cached per container: the tenant's pointer is read at most
once per `ttl` per tenant, a model file once per version (a few versions kept in memory)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from aftersales.core.clock import Clock
from aftersales.sentiment.linear import SentimentModel
from aftersales.sentiment.ports import CurrentModels, ModelFiles
from aftersales.sentiment.refit_schedule import TenantModel

POINTER_TTL = timedelta(seconds=60)
MODELS_KEPT = 4  # model files in memory (about 1.4 MB each)


class CachedTenantModels:
    def __init__(self, pointers: CurrentModels, files: ModelFiles, shipped: SentimentModel, clock: Clock,
                 ttl: timedelta = POINTER_TTL, models_kept: int = MODELS_KEPT) -> None:
        self._pointers = pointers
        self._files = files
        self._shipped = shipped
        self._clock = clock
        self._ttl = ttl
        self._models_kept = models_kept
        self._read: dict[str, tuple[datetime, TenantModel | None]] = {}
        self._models: OrderedDict[str, SentimentModel] = OrderedDict()

    def current(self, tenant_id: str) -> SentimentModel:
        now = self._clock.now()
        cached = self._read.get(tenant_id)
        if cached is None or now - cached[0] >= self._ttl:
            cached = (now, self._pointers.current_model(tenant_id))
            self._read[tenant_id] = cached
        pointer = cached[1]
        if pointer is None or pointer.base_version != self._shipped.version:
            return self._shipped  # no refit, or one made from another shipped model
        return self._model(pointer)

    def _model(self, pointer: TenantModel) -> SentimentModel:
        model = self._models.get(pointer.version)
        if model is None:
            model = SentimentModel.from_bytes(self._files.get(pointer.key))
            self._models[pointer.version] = model
            while len(self._models) > self._models_kept:
                self._models.popitem(last=False)
        else:
            self._models.move_to_end(pointer.version)
        return model
