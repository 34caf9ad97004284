"""Images on the public page (the organisation's logo, a confidant's photo): checked, decoded
and saved afresh, so that nothing of the uploaded file but its pixels is ever kept or served.

An upload is decoded by Pillow, and only by its PNG, JPEG and WebP decoders (never by the
file's name or the browser's content type, and never by a plugin that runs an outside
program). It is turned upright (EXIF orientation), scaled down and written as a new file from
its pixels alone: no EXIF (so no GPS position or camera serial), no XMP, no ICC profile, no
text chunk or comment survives. Too many bytes, too many pixels (a "decompression bomb"), a
truncated or unreadable file: a form error, never a 500.
"""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

# A phone photo of 12 megapixels is 2 to 5 MB; anything beyond is refused before decoding.
MAX_BYTES = 5 * 1024 * 1024
# Decoding needs about 4 bytes a pixel; 25 megapixels is a 6000 × 4000 camera image. Below
# Pillow's own warning limit (Image.MAX_IMAGE_PIXELS), which is never changed here.
MAX_PIXELS = 25_000_000
FORMATS = ("PNG", "JPEG", "WEBP")
ACCEPT = "image/png,image/jpeg,image/webp"

LOGO_BOX = (600, 240)
PHOTO_SIZE = 400
PHOTO_QUALITY = 85


@dataclass(frozen=True)
class Verwerkt:
    """An image as vpcase wrote it: the bytes to store and serve, and what the page needs."""

    data: bytes
    content_type: str
    breedte: int
    hoogte: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def too_large_message() -> str:
    return str(
        _("The image is too large: at most %(size)s. A smaller photo or a screenshot will do.")
        % {"size": filesizeformat(MAX_BYTES)}
    )


def _open(upload: IO[bytes]) -> Image.Image:
    """The decoded first frame of a PNG, JPEG or WebP, or a ValidationError."""
    unreadable = ValidationError(
        _("This file is not an image vpcase can read. Upload a PNG, JPEG or WebP image."),
        code="invalid_image",
    )
    too_many_pixels = ValidationError(
        _("The image has too many pixels: at most %(mp)s megapixels.")
        % {"mp": MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Pillow's own bomb check warns before it refuses; here both refuse.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=FORMATS)
            # Only the header is read so far: refuse a bomb before decoding a pixel.
            if image.width * image.height > MAX_PIXELS or 0 in image.size:
                raise too_many_pixels
            if image.format == "JPEG":
                # Decode at a reduced scale where the JPEG allows it: less memory, same result.
                image.draft("RGB", (PHOTO_SIZE * 2, PHOTO_SIZE * 2))
            image.seek(0)
            _load_whole(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_many_pixels from error
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        # Not PNG/JPEG/WebP, HTML named .png, truncated, corrupt.
        raise unreadable from error
    return image


# WeasyPrint sets Pillow's global ImageFile.LOAD_TRUNCATED_IMAGES on import, and the web
# process imports it (the case export): a cut-off upload would then be decoded half grey. The
# flag is off while an upload is decoded; the lock keeps two uploads from restoring it early.
_truncated_flag = threading.Lock()


def _load_whole(image: Image.Image) -> None:
    with _truncated_flag:
        saved = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = saved


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image) or image
    except (OSError, SyntaxError, ValueError, TypeError, KeyError):
        return image  # a broken orientation tag: keep the pixels as they are


def _fresh(image: Image.Image) -> Image.Image:
    """A new image from the pixels alone: none of the upload's info (EXIF, ICC, XMP, text)."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def logo(upload: IO[bytes]) -> Verwerkt:
    """A PNG of at most LOGO_BOX, transparency kept."""
    image = _upright(_open(upload))
    image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    image.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    _fresh(image).save(out, format="PNG", optimize=True)
    return Verwerkt(out.getvalue(), "image/png", image.width, image.height)


def foto(upload: IO[bytes]) -> Verwerkt:
    """A square JPEG of at most PHOTO_SIZE, cut from the middle; transparency on white."""
    image = _upright(_open(upload))
    if _has_alpha(image):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    else:
        image = image.convert("RGB")
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side))
    if side > PHOTO_SIZE:
        image = image.resize((PHOTO_SIZE, PHOTO_SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    _fresh(image).save(out, format="JPEG", quality=PHOTO_QUALITY, optimize=True)
    return Verwerkt(out.getvalue(), "image/jpeg", image.width, image.height)


def check_size(upload) -> None:
    if upload.size > MAX_BYTES:
        raise ValidationError(too_large_message(), code="too_large")
