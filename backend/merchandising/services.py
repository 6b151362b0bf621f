"""Use cases that change collections: save one whole (create or replace, its products or
rules included, all or nothing) and delete one. Administrators only, audited in the same
transaction. A collection's listings are cached under its `updated_at`, which every save
moves, so nothing has to be invalidated."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.core.validation import parse_input
from backend.merchandising.inputs import CollectionInput
from backend.merchandising.locks import lock_collection_for_update
from backend.merchandising.models import Collection, CollectionProduct
from backend.merchandising.queries import MANAGE_COLLECTIONS


def _integrity_error(error: IntegrityError, slug: str) -> Exception:
    text = str(error.orig)
    if "collections_slug_key" in text:
        return InvalidInputError(
            f"Another collection already has the address /collections/{slug}.",
            {"slug": "Choose another address (slug)."},
        )
    if "collection_products_product_id_fkey" in text:
        return InvalidInputError(
            "One of the chosen products no longer exists: reload and choose again.",
            {"product_ids": "A chosen product no longer exists."},
        )
    return error


def _audited(collection: Collection, product_ids: list[uuid.UUID]) -> dict[str, Any]:
    return {
        "title": collection.title,
        "slug": collection.slug,
        "kind": collection.kind,
        "rules": collection.rules,
        "match": collection.match,
        "product_ids": [str(product_id) for product_id in product_ids],
        "starts_at": collection.starts_at.isoformat() if collection.starts_at else None,
        "ends_at": collection.ends_at.isoformat() if collection.ends_at else None,
        "home_position": collection.home_position,
    }


async def _picked(session: AsyncSession, collection_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        (
            await session.exec(
                select(CollectionProduct.product_id)
                .where(col(CollectionProduct.collection_id) == collection_id)
                .order_by(col(CollectionProduct.position))
            )
        ).all()
    )


async def save_collection(
    collection_id: uuid.UUID | None,
    data: CollectionInput | dict[str, Any],
    *,
    actor: Viewer,
) -> uuid.UUID:
    """Create a collection (`collection_id` None) or replace one with `data`."""
    require_permission(actor, Permission.CATALOG, MANAGE_COLLECTIONS)
    wanted = data if isinstance(data, CollectionInput) else parse_input(CollectionInput, data)
    slug = wanted.final_slug
    values: dict[str, Any] = {
        "slug": slug,
        "title": wanted.title,
        "description": wanted.description,
        "image_url": wanted.image_url,
        "kind": wanted.kind,
        "rules": [rule.model_dump() for rule in wanted.rules],
        "match": wanted.match,
        "starts_at": wanted.starts_at,
        "ends_at": wanted.ends_at,
        "home_position": wanted.home_position,
    }
    try:
        async with session_scope() as session:
            before: dict[str, Any] | None = None
            if collection_id is None:
                collection = Collection(**values)
                session.add(collection)
                await session.flush()
            else:
                collection = await lock_collection_for_update(session, collection_id)
                before = _audited(collection, await _picked(session, collection.id))
                for name, value in values.items():
                    setattr(collection, name, value)
                # Moves the cache key of its listings even when only its products change.
                collection.updated_at = func.now()  # type: ignore[assignment]  # SQL expression, evaluated by the UPDATE
                session.add(collection)
                await session.exec(
                    delete(CollectionProduct).where(
                        col(CollectionProduct.collection_id) == collection.id
                    )
                )
            for position, product_id in enumerate(wanted.product_ids):
                session.add(
                    CollectionProduct(
                        collection_id=collection.id, product_id=product_id, position=position
                    )
                )
            await session.flush()
            audit.record(
                session,
                actor=actor,
                action="collection.created" if before is None else "collection.updated",
                entity_type="collection",
                entity_id=collection.id,
                before=before,
                after=_audited(collection, list(wanted.product_ids)),
            )
            saved_id = collection.id
    except IntegrityError as exc:
        raise _integrity_error(exc, slug) from exc
    return saved_id


async def delete_collection(collection_id: uuid.UUID, *, actor: Viewer) -> None:
    """Its page goes (404); the products stay in the catalog."""
    require_permission(actor, Permission.CATALOG, MANAGE_COLLECTIONS)
    async with session_scope() as session:
        collection = await lock_collection_for_update(session, collection_id)
        audit.record(
            session,
            actor=actor,
            action="collection.deleted",
            entity_type="collection",
            entity_id=collection_id,
            before=_audited(collection, await _picked(session, collection_id)),
        )
        await session.delete(collection)
