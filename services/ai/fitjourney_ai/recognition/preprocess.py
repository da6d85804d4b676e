"""The one definition of how a photo becomes the model's input, in Pillow and numpy (no torch): training
stores every image as `square`, evaluates (and the service serves) its `centre_crop`, `normalise`d.
Training, the ONNX Runtime classifier and torch's all call these.
"""

from __future__ import annotations

import io
from typing import TypeVar

import numpy as np
from PIL import Image

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# Images are stored (and served) with their short side this much larger than the input: room for training's
# random crops; evaluation and serving take the centre.
RESIZE_RATIO = 1.14
# Decompression-bomb guard for images read from the store or uploaded.
MAX_PIXELS = 40_000_000

ArrayT = TypeVar("ArrayT")


def stored_side(input_size: int) -> int:
    return round(input_size * RESIZE_RATIO)


def decode_image(data: bytes, draft: int | None = None) -> Image.Image:
    """RGB image from bytes (any format Pillow reads); ValueError when it is not an image. With `draft`,
    a JPEG is decoded at a reduced scale still at least that size (much faster for big photos)."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
        if draft:
            image.draft("RGB", (draft, draft))
        image.load()
    except (OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValueError(f"not a readable image: {exc}") from exc
    return image.convert("RGB")


def square(data: bytes, side: int) -> np.ndarray:
    """uint8 [3, side, side]: short side resized to `side` by Pillow (JPEG draft mode decodes at reduced
    size), centre square."""
    image = decode_image(data, draft=side)
    scale = side / min(image.size)
    image = image.resize((max(side, round(image.width * scale)), max(side, round(image.height * scale))),
                         Image.Resampling.BILINEAR, reducing_gap=2.0)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side))
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8).transpose(2, 0, 1))


def centre_crop(images: ArrayT, size: int) -> ArrayT:
    """The centre `size` x `size` of [..., S, S] images (a numpy array or a torch tensor: plain slicing)."""
    side = images.shape[-1]  # type: ignore[attr-defined]
    offset = (side - size) // 2
    return images[..., offset:offset + size, offset:offset + size]  # type: ignore[index, no-any-return]


def normalise(images: np.ndarray, mean: tuple[float, ...] = IMAGENET_MEAN,
              std: tuple[float, ...] = IMAGENET_STD) -> np.ndarray:
    """uint8 [..., 3, H, W] (numpy) → float32 scaled to [0, 1], minus the mean, over the std, channel by channel."""
    shape = (3, 1, 1)
    scaled = images.astype(np.float32) / np.float32(255.0)
    return (scaled - np.asarray(mean, np.float32).reshape(shape)) / np.asarray(std, np.float32).reshape(shape)


def eval_view(data: bytes, size: int, mean: tuple[float, ...] = IMAGENET_MEAN,
              std: tuple[float, ...] = IMAGENET_STD) -> np.ndarray:
    """float32 [3, size, size]: the photo as training evaluates it (stored square, centre crop, normalised)."""
    return normalise(centre_crop(square(data, stored_side(size)), size), mean, std)
