"""Business failures of the catalog domain."""

from backend.core.errors import DomainError


class DuplicateSkuError(DomainError):
    code = "duplicate_sku"


class DuplicateCategorySlugError(DomainError):
    code = "duplicate_category_slug"
