"""The base of every pydantic model in the domain package.

`defer_build=True`: a model's validation schema is built the first time it is used, not when its
module is imported. A cold start then pays only for the models the invocation touches (the API
function imports ~100 models; building them all eagerly cost ~100 ms of init).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DomainModel(BaseModel):
    model_config = ConfigDict(defer_build=True)
