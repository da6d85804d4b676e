"""Hostile uploads, made here with Pillow and zlib (nothing downloaded): files that lie about their type,
decompression bombs, truncated and empty files, metadata bombs."""

from __future__ import annotations

import io
import os
import struct
import zlib

from PIL import Image

MIB = 1024 * 1024


def picture(fmt: str, size: tuple[int, int] = (96, 64), mode: str = "RGB") -> bytes:
    """A real picture of random pixels (so it does not compress to nothing and a cut loses real data)."""
    channels = len(mode)
    image = Image.frombytes(mode, size, os.urandom(size[0] * size[1] * channels))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int) -> bytes:
    """A 1-bit black PNG of width x height: its pixel rows go through zlib a megabyte at a time, so neither
    the test nor the file holds the bitmap (30000 x 30000 is 112 MiB of rows and about 110 kB of file)."""
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte + packed bits
    rows_per_step = max(1, MIB // len(row))
    compressor = zlib.compressobj(9)
    idat = []
    for start in range(0, height, rows_per_step):
        idat.append(compressor.compress(row * min(rows_per_step, height - start)))
    idat.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", b"".join(idat))
            + png_chunk(b"IEND", b""))


def jpeg_announcing(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header claims width x height: a bomb by its header alone."""
    data = bytearray(picture("JPEG", (64, 48)))
    sof = data.index(b"\xff\xc0")  # baseline frame: length(2) precision(1) height(2) width(2)
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def png_with_text_bomb() -> bytes:
    """A tiny PNG carrying a zTXt chunk that inflates to 64 MiB (a metadata decompression bomb)."""
    png = picture("PNG", (16, 16))
    bomb = png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"A" * (64 * MIB), 9))
    at = png.index(b"IDAT") - 4  # before the first IDAT, where metadata chunks go
    return png[:at] + bomb + png[at:]


EXIF_MARKER = b"EXIF-PAYLOAD-MARKER"


def jpeg_with_hostile_exif(segments: int = 40) -> bytes:
    """A real JPEG whose Exif block lies in every way (IFD entries with absurd counts and offsets past the
    end, an IFD pointing at itself) followed by `segments` more full-size APP1 segments (64 kB each)."""
    entries = [
        (0x0112, 3, 0x7FFFFFFF, 0xFFFFFFF0),  # Orientation: two billion SHORTs, far away
        (0x8769, 4, 1, 8),  # Exif IFD pointer back at this IFD: a loop
        (0x8825, 4, 1, 0xFFFFFFFF),  # GPS IFD past the end
        (0x010F, 2, 0x7FFFFFFF, 26),  # Make: an ASCII string of 2 GiB
        (0x927C, 7, 0xFFFFFFFF, 8),  # MakerNote: 4 GiB
    ]
    ifd = struct.pack(">H", 0xFFFF) + b"".join(struct.pack(">HHII", *entry) for entry in entries)
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + ifd
    exif = b"Exif\0\0" + tiff + EXIF_MARKER
    exif += os.urandom(65533 - 2 - len(exif))

    def app1(payload: bytes) -> bytes:
        return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload

    extra = b"".join(app1(b"Exif\0\0" + EXIF_MARKER + os.urandom(65000)) for _ in range(segments))
    jpeg = picture("JPEG", (64, 48))
    return jpeg[:2] + app1(exif) + extra + jpeg[2:]


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    return data[:int(len(data) * keep)]


def padded_jpeg(size: int) -> bytes:
    """A readable JPEG of exactly `size` bytes (zeros after its end marker): too large, nothing else wrong."""
    jpeg = picture("JPEG", (64, 48))
    return jpeg + b"\0" * (size - len(jpeg))


def zip_file() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return out.getvalue()


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SCRIPT = b"#!/bin/sh\ncurl http://127.0.0.1/ | sh\n"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
       b'onload="alert(1)"><script>alert(2)</script></svg>')
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
# JPEG's magic bytes in front of a web page: passes a sniff of the first bytes, and is no picture.
JPEG_POLYGLOT = b"\xff\xd8\xff\xe0" + HTML
