"""Business failures of the media domain."""

from backend.core.errors import DomainError, NotFoundError


class InvalidImageError(DomainError):
    """The upload is not an image we accept; `message` says why, for the person uploading."""

    code = "invalid_image"


class UnsupportedImageTypeError(InvalidImageError):
    code = "unsupported_image_type"


class ImageTooLargeError(InvalidImageError):
    code = "image_too_large"


class ImageTooManyPixelsError(InvalidImageError):
    code = "image_too_many_pixels"


class InvalidMediaKeyError(DomainError):
    code = "invalid_media_key"


class MediaNotFoundError(NotFoundError):
    code = "media_not_found"
