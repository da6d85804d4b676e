"""Uploaded images: a cut JPEG is refused by the check itself, whatever a decoder throws is a 422, and
re-encoding applies the orientation, keeps the size limit and drops every metadata block."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from fitjourney_common.errors import ValidationFailed
from fitjourney_common.images import check_image, reencode_without_metadata

LIMITS = {"max_bytes": 10 * 1024 * 1024, "max_pixels": 40_000_000}


def jpeg(size: tuple[int, int], exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.radial_gradient("L").convert("RGB").resize(size)
    image.save(out, format="JPEG", quality=90, **({"exif": exif.tobytes()} if exif is not None else {}))
    return out.getvalue()


def test_a_truncated_jpeg_is_refused_by_the_check_not_only_by_decoding_later() -> None:
    whole = jpeg((640, 480))
    assert check_image(whole, **LIMITS) == "image/jpeg"
    with pytest.raises(ValidationFailed) as refused:
        check_image(whole[: len(whole) * 2 // 3], **LIMITS)
    assert refused.value.status == 422


def test_whatever_the_decoder_raises_on_a_crafted_file_is_a_422(monkeypatch: pytest.MonkeyPatch) -> None:
    def crafted(*_args: object, **_kwargs: object) -> Image.Image:
        raise struct.error("unpack requires a buffer of 4 bytes")  # as Pillow's parsers do on some inputs

    monkeypatch.setattr(Image, "open", crafted)
    with pytest.raises(ValidationFailed):
        check_image(jpeg((8, 8)), **LIMITS)
    with pytest.raises(ValidationFailed):
        reencode_without_metadata(b"\xff\xd8\xff", max_side=64)


def test_reencoding_applies_the_orientation_and_drops_the_exif() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to show
    exif[0x010F] = "SpyCam"
    encoded = reencode_without_metadata(jpeg((3000, 1000), exif), max_side=2048)
    assert (encoded.width, encoded.height) == (683, 2048)  # turned upright, then fitted into 2048
    stored = Image.open(io.BytesIO(encoded.data))
    assert stored.size == (683, 2048) and dict(stored.getexif()) == {} and b"SpyCam" not in encoded.data
