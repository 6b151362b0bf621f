"""Product images: validated uploads, content-addressed storage, thumbnails and their URLs.

- `storage.py`: the `MediaStorage` interface and its local-disk implementation.
- `images.py`: what an acceptable image is (type by content, byte and pixel limits).
- `thumbnails.py`: WebP thumbnails in a few sizes, and the URL of one for an image URL.
- `services.py`: the use cases (save an uploaded image).
"""
