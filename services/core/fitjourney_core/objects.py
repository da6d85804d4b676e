"""Where core keeps a user's files in the object store: every kind of object, in one list. Writers make
their keys here and erasure deletes every kind's prefix of the user, so a new kind cannot be left behind."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fitjourney_common.storage import ObjectStore


@dataclass(frozen=True)
class ObjectKind:
    """Objects of one kind live under `<prefix>/<user_id>/`: one prefix per user and kind."""

    prefix: str

    def user_prefix(self, user_id: uuid.UUID) -> str:
        return f"{self.prefix}/{user_id}/"

    def key(self, user_id: uuid.UUID, name: str) -> str:
        if not name or "/" in name:
            raise ValueError(f"an object name is one path segment, not {name!r}")
        return self.user_prefix(user_id) + name


AVATARS = ObjectKind("avatars")
FOOD_PHOTOS = ObjectKind("food-photos")
EXPORTS = ObjectKind("exports")
OBJECT_KINDS: tuple[ObjectKind, ...] = (AVATARS, FOOD_PHOTOS, EXPORTS)


def user_prefixes(user_id: uuid.UUID) -> list[str]:
    """Every prefix holding one of the user's objects (what erasure deletes)."""
    return [kind.user_prefix(user_id) for kind in OBJECT_KINDS]


def owned_by(key: str, user_id: uuid.UUID) -> bool:
    return any(key.startswith(prefix) for prefix in user_prefixes(user_id))


async def put(store: ObjectStore, kind: ObjectKind, user_id: uuid.UUID, name: str, data: bytes,
              content_type: str) -> str:
    """Store one of the user's objects; its key. The only way core writes an object (a test holds it)."""
    key = kind.key(user_id, name)
    await store.put(key, data, content_type)
    return key
