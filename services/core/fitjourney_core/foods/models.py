"""The `foods` table: the shipped catalogue (no owner) and users' custom foods (owned)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, Float, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_common.db.base import UUIDPrimaryKeyMixin
from fitjourney_core.db import Base, UserOwnedMixin


class Food(UUIDPrimaryKeyMixin, UserOwnedMixin, Base):
    """Nutrients per 100 g; `portions` is `[{name, grams}]`. `user_id` NULL marks a catalogue food."""

    __tablename__ = "foods"
    # Overrides the mixin: catalogue rows belong to nobody (RLS lets every user read them).
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)  # type: ignore[assignment]
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[str | None] = mapped_column(String(40))
    kcal_per_100g: Mapped[float] = mapped_column(Float, nullable=False)
    protein_g: Mapped[float] = mapped_column(Float, nullable=False)
    carbs_g: Mapped[float] = mapped_column(Float, nullable=False)
    fat_g: Mapped[float] = mapped_column(Float, nullable=False)
    fibre_g: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    alcohol_g: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    portions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    # Where catalogue values come from, e.g. "SR:09040" (USDA SR Legacy NDB number).
    source_id: Mapped[str | None] = mapped_column(String(40))

    @property
    def is_custom(self) -> bool:
        return self.user_id is not None
