"""Uploaded images: type sniffed from content, size and pixel limits, re-encoded without metadata."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from fitjourney_common.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed

# Magic bytes: what a file *is*, whatever its name or declared Content-Type says.
JPEG, PNG, WEBP = "image/jpeg", "image/png", "image/webp"
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}


def sniff_image_type(data: bytes) -> str | None:
    """`image/jpeg`, `image/png` or `image/webp` from the first bytes; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def check_image(data: bytes, *, max_bytes: int, max_pixels: int, field: str = "image") -> str:
    """The sniffed content type of a readable image within the limits; raises 413/415/422 otherwise.

    The pixel count is read from the header before any decoding, so a decompression bomb (a tiny
    file announcing gigapixels) is refused without allocating its bitmap.
    """
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"{field} is larger than {max_bytes // (1024 * 1024)} MiB")
    if not data:
        raise ValidationFailed(field, "is empty")
    content_type = sniff_image_type(data)
    if content_type is None:
        raise UnsupportedMediaType(f"{field} must be a JPEG, PNG or WebP image (judged by its content)")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise PayloadTooLarge(f"{field} has {width}x{height} pixels; at most {max_pixels} are accepted")
            if image.format != PILLOW_FORMATS[content_type]:
                raise UnsupportedMediaType(f"{field} content does not match its {content_type} signature")
            image.verify()
    except Image.DecompressionBombError as exc:
        raise PayloadTooLarge(f"{field} has too many pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationFailed(field, "is not a readable image (corrupt or truncated)") from exc
    return content_type


@dataclass(frozen=True)
class EncodedImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def reencode_without_metadata(data: bytes, *, max_side: int | None = None) -> EncodedImage:
    """Decode and encode again: EXIF (GPS!), ICC and text chunks do not survive; orientation is applied.

    Opaque images become JPEG, images with transparency PNG. Call `check_image` first.
    """
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.load()
            image = ImageOps.exif_transpose(source) or source
            if max_side is not None:
                image.thumbnail((max_side, max_side))
            has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
            out = io.BytesIO()
            if has_alpha:
                image.convert("RGBA").save(out, format="PNG", optimize=True)
                content_type, extension = PNG, "png"
            else:
                image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
                content_type, extension = JPEG, "jpg"
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationFailed("image", "is not a readable image (corrupt or truncated)") from exc
    return EncodedImage(out.getvalue(), content_type, extension, width, height)
