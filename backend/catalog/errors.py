"""Business failures of the catalog domain."""

from backend.core.errors import DomainError


class DuplicateSkuError(DomainError):
    code = "duplicate_sku"


class DuplicateSlugError(DomainError):
    code = "duplicate_slug"


class DuplicateCategorySlugError(DomainError):
    code = "duplicate_category_slug"


class CategoryInUseError(DomainError):
    code = "category_in_use"


class BrandInUseError(DomainError):
    code = "brand_in_use"


class DuplicateBrandError(DomainError):
    code = "duplicate_brand"


class ImportExpiredError(DomainError):
    """A confirmed CSV import is gone: applied already, or its preview expired."""

    code = "import_expired"
