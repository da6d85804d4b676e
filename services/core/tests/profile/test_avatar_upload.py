"""Avatar uploads: sniffed by content, limited in bytes and pixels, stored re-encoded without EXIF."""

from __future__ import annotations

import io

import httpx
from PIL import Image


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0131] = "secret-editor"  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


async def test_avatar_is_stored_without_exif_and_served_by_a_short_lived_url(
    client: httpx.AsyncClient, auth_headers,
) -> None:
    original = jpeg_with_exif()
    assert Image.open(io.BytesIO(original)).getexif().get(0x010F) == "SpyCam"
    response = await client.put("/api/v1/profile/avatar", headers=auth_headers,
                                files={"image": ("me.jpg", original, "image/jpeg")})
    assert response.status_code == 200, response.text
    url = response.json()["avatar_url"]
    assert "X-Amz-Expires" in url or "Expires" in url

    async with httpx.AsyncClient() as s3:
        stored = await s3.get(url)
    assert stored.status_code == 200
    image = Image.open(io.BytesIO(stored.content))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert dict(image.getexif()) == {}
    assert b"SpyCam" not in stored.content

    profile = (await client.get("/api/v1/profile", headers=auth_headers)).json()
    assert profile["avatar_url"] and f"avatars/{auth_headers.user_id}/" in profile["avatar_url"]


async def test_text_file_named_jpg_is_refused(client: httpx.AsyncClient, auth_headers) -> None:
    response = await client.put("/api/v1/profile/avatar", headers=auth_headers,
                                files={"image": ("me.jpg", b"hello, I am not a picture\n" * 10, "image/jpeg")})
    assert response.status_code == 415
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_too_large_file_is_413(client: httpx.AsyncClient, auth_headers) -> None:
    big = b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024)
    response = await client.put("/api/v1/profile/avatar", headers=auth_headers,
                                files={"image": ("big.jpg", big, "image/jpeg")})
    assert response.status_code == 413


async def test_decompression_bomb_is_refused_before_decoding(client: httpx.AsyncClient, auth_headers) -> None:
    out = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(out, format="PNG")  # 50 Mpx in a few kB
    assert len(out.getvalue()) < 200_000
    response = await client.put("/api/v1/profile/avatar", headers=auth_headers,
                                files={"image": ("bomb.png", out.getvalue(), "image/png")})
    assert response.status_code == 413


async def test_truncated_image_is_422(client: httpx.AsyncClient, auth_headers) -> None:
    broken = jpeg_with_exif()[:120]
    response = await client.put("/api/v1/profile/avatar", headers=auth_headers,
                                files={"image": ("broken.jpg", broken, "image/jpeg")})
    assert response.status_code == 422


async def test_another_users_avatar_is_neither_shown_nor_replaced(
    client: httpx.AsyncClient, auth_headers, other_auth_headers,
) -> None:
    mine = await client.put("/api/v1/profile/avatar", headers=auth_headers,
                            files={"image": ("me.jpg", jpeg_with_exif(), "image/jpeg")})
    assert mine.status_code == 200
    assert (await client.get("/api/v1/profile", headers=other_auth_headers)).json()["avatar_url"] is None

    theirs = await client.put("/api/v1/profile/avatar", headers=other_auth_headers,
                              files={"image": ("them.png", png_bytes(), "image/png")})
    assert theirs.status_code == 200
    assert f"avatars/{other_auth_headers.user_id}/" in theirs.json()["avatar_url"]
    # Mine still points at my picture, which is still there.
    my_url = (await client.get("/api/v1/profile", headers=auth_headers)).json()["avatar_url"]
    assert f"avatars/{auth_headers.user_id}/" in my_url
    async with httpx.AsyncClient() as s3:
        stored = await s3.get(my_url)
    assert stored.status_code == 200 and Image.open(io.BytesIO(stored.content)).format == "JPEG"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (16, 16), (0, 0, 255, 128)).save(out, format="PNG")
    return out.getvalue()
