"""Opening photos (a shopper's upload, a catalog's files) with a clear word when one has too many pixels.

PIL refuses a picture of more than twice `Image.MAX_IMAGE_PIXELS` with `DecompressionBombError`, which
callers used to report as "not a readable image" although the file is fine, only too large: `open_image`
says how large it is, what the limit is, and what to do instead.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, BinaryIO


class ImageTooLargeError(ValueError):
    """A readable image with more pixels than allowed; the message gives its size, the limit and the fix."""

    def __init__(self, size: tuple[int, int] | None, limit: int):
        self.size, self.limit = size, limit
        what = f"{size[0]}×{size[1]} pixels ({_megapixels(size[0] * size[1])} megapixels)" if size else "too many pixels"
        super().__init__(
            f"the image is too large: {what}; the limit is {_megapixels(limit)} megapixels. "
            f"Scale it down (for example to 2000×2000 pixels) or crop it, and try again"
        )


def _megapixels(pixels: int) -> str:
    mp = pixels / 1_000_000
    return f"{mp:.0f}" if mp >= 100 or mp == int(mp) else f"{mp:.1f}"


def pil_limit() -> int | None:
    """The most pixels PIL opens (it refuses more than twice MAX_IMAGE_PIXELS); None: no limit."""
    from PIL import Image

    return 2 * Image.MAX_IMAGE_PIXELS if Image.MAX_IMAGE_PIXELS else None


def declared_size(src: bytes | Path | str) -> tuple[int, int] | None:
    """(width, height) as the file's header declares them, read without PIL's pixel limit (nothing is decoded);
    None when no image format reads the header."""
    from PIL import Image

    raw = src if isinstance(src, bytes) else Path(src).read_bytes()
    Image.init()
    prefix = raw[:16]
    for fmt in Image.ID:
        factory, accept = Image.OPEN[fmt]
        try:
            if accept is not None and not accept(prefix):
                continue
            with factory(io.BytesIO(raw), "") as im:  # the format's reader: parses the header only
                w, h = im.size
                return int(w), int(h)
        except Exception:  # noqa: S112 (not this format: PIL's readers raise many types)
            continue
    return None


def open_image(src: bytes | Path | str | BinaryIO, *, max_pixels: int | None = None) -> Any:
    """`PIL.Image.open` (lazy: only the header is read yet) that refuses an image of more than `max_pixels`
    (default, and at most: what PIL opens) with ImageTooLargeError, not DecompressionBombError."""
    from PIL import Image

    pil = pil_limit()
    limit = min(x for x in (max_pixels, pil) if x) if (max_pixels or pil) else None
    fp: Any = io.BytesIO(src) if isinstance(src, bytes) else src
    try:
        img = Image.open(fp)
    except Image.DecompressionBombError:
        size = declared_size(src) if isinstance(src, (bytes, str, Path)) else None
        raise ImageTooLargeError(size, limit or 0) from None
    if limit is not None and img.width * img.height > limit:
        size = img.size
        img.close()
        raise ImageTooLargeError(size, limit)
    return img
