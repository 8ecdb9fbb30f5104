"""Base of every request model: unknown fields are refused (a typo in a field
name must not be silently ignored), strings are trimmed and capped."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, str_strip_whitespace=True,
                              str_max_length=2000, strict=False)


class PageQuery(ApiModel):
    cursor: str | None = None
    limit: int = 50
