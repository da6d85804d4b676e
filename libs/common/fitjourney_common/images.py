"""Uploaded images: type sniffed from content, size and pixel limits, re-encoded without metadata.

Every service that takes a picture checks it here first (core's avatars and meal photos, ai's recognition),
so a hostile file gets the same 413/415/422 everywhere.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

from fitjourney_common.errors import AppError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

# Magic bytes: what a file *is*, whatever its name or declared Content-Type says.
JPEG, PNG, WEBP = "image/jpeg", "image/png", "image/webp"
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
# Pillow raises more than OSError on crafted input (struct.error, IndexError, ...): whatever a decoder
# throws at a file we refuse the file (422), never answer 500. Our own errors pass through.
UNREADABLE = "is not a readable image (corrupt or truncated)"


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
    file announcing gigapixels) is refused without allocating its bitmap. A JPEG is decoded at 1/8 scale
    (a few MB at most), since `verify` does not read its scan data and would let a truncated one through.
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
        if content_type == JPEG:
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except Image.DecompressionBombError as exc:
        raise PayloadTooLarge(f"{field} has too many pixels") from exc
    except AppError:
        raise
    except Exception as exc:
        raise ValidationFailed(field, UNREADABLE) from exc
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
        with Image.open(io.BytesIO(data)) as image:
            if max_side is not None:
                # A JPEG decodes at the smallest 1/2^n scale still covering max_side, not as the full bitmap.
                image.draft("RGB", (max_side, max_side))
            image.load()
            # In place, and converted only when needed: each copy of a 40 Mpx bitmap is 160 MB more.
            ImageOps.exif_transpose(image, in_place=True)
            if max_side is not None:
                image.thumbnail((max_side, max_side))
            has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
            target = "RGBA" if has_alpha else "RGB"
            final = image if image.mode == target else image.convert(target)
            out = io.BytesIO()
            if has_alpha:
                final.save(out, format="PNG", optimize=True)
                content_type, extension = PNG, "png"
            else:
                final.save(out, format="JPEG", quality=85, optimize=True)
                content_type, extension = JPEG, "jpg"
            width, height = final.size
    except Exception as exc:
        raise ValidationFailed("image", UNREADABLE) from exc
    return EncodedImage(out.getvalue(), content_type, extension, width, height)
