"""The organisation's logo and a confidant's photo on the public page: uploaded through the
confidant's page, re-encoded without metadata, refused with a form error when they are not a
small PNG, JPEG or WebP, and served only while the page shows them."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image, PngImagePlugin

from meldingen import afbeeldingen
from meldingen.models import Afbeelding, AfbeeldingSoort
from tests.conftest import verified_client
from tests.factories import ConfidantFactory
from vpcase.audit.models import Action, AuditEvent

SECRET = b"secret-marker"


def en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def edit_url(org) -> str:
    return en("meldingen:organisatie_publiek", org.slug)


def jpeg_with_metadata(size=(1200, 800)) -> bytes:
    """A landscape JPEG, top half red, bottom half blue, that its EXIF says to turn a quarter
    clockwise; with a GPS position, a camera name, a comment, an ICC profile and XMP."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (0, size[1] // 2, size[0], size[1]))
    exif = Image.Exif()
    exif[0x010F] = "secret-marker camera"
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (52.0, 22.0, 1.5), 3: "E", 4: (4.0, 53.0, 2.0)})
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        exif=exif,
        comment=SECRET + b" comment",
        icc_profile=SECRET * 8,
        xmp=b"<x:xmpmeta>" + SECRET + b"</x:xmpmeta>",
    )
    data = out.getvalue()
    # The test image really carries what must go.
    check = Image.open(io.BytesIO(data))
    assert check.getexif().get_ifd(0x8825)[2] == (52.0, 22.0, 1.5)
    assert {"exif", "xmp", "comment", "icc_profile"} <= set(check.info)
    return data


def png_with_text(size=(1200, 300)) -> bytes:
    image = Image.new("RGBA", size, (0, 128, 0, 200))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-marker text chunk")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret-marker</x:xmpmeta>")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, icc_profile=SECRET * 8)
    data = out.getvalue()
    assert {"Comment", "icc_profile"} <= set(Image.open(io.BytesIO(data)).info)
    return data


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width × height pixels in a few dozen bytes (a decompression bomb's
    header: decoding it would need width × height × 3 bytes)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def upload(data: bytes, name: str = "image.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def post_logo(client, org, data: bytes, name="logo.png", content_type="image/png", **extra):
    fields = {
        "form": "info",
        "info-publieke_tekst": "Welkom bij ons.",
        "info-logo": upload(data, name, content_type),
    }
    fields.update(extra)
    return client.post(edit_url(org), fields)


def post_photo(client, org, data: bytes | None, *, publish=True, **extra):
    fields = {"form": "profiel", "profiel-introductie": "Ik luister."}
    if publish:
        fields["profiel-zichtbaar"] = "on"
    if data is not None:
        fields["profiel-foto"] = upload(data)
    fields.update(extra)
    return client.post(edit_url(org), fields)


def stored(soort) -> Afbeelding:
    return Afbeelding.objects.get(soort=soort)


def assert_no_metadata(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert not image.getexif(), dict(image.getexif())
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "Comment"):
        assert key not in image.info, (key, image.info)
    assert SECRET not in data
    return image


# --- Re-encoding: nothing but the pixels is kept ----------------------------------------------


def test_photo_is_reencoded_upright_square_without_exif_or_gps(confidant_client, org_a):
    original = jpeg_with_metadata()
    response = post_photo(confidant_client, org_a, original)
    assert response.status_code == 302, response.content.decode()[:2000]

    foto = stored(AfbeeldingSoort.FOTO)
    data = bytes(foto.data)
    assert data != original
    image = assert_no_metadata(data)
    assert image.format == "JPEG"
    assert image.size == (400, 400) == (foto.breedte, foto.hoogte)
    # Turned upright by its EXIF orientation before the EXIF was dropped: the red top half of
    # the stored landscape is now the right half.
    left, right = image.convert("RGB").getpixel((50, 200)), image.getpixel((350, 200))
    assert left[2] > 200 and left[0] < 60, left
    assert right[0] > 200 and right[2] < 60, right
    assert foto.content_type == "image/jpeg"
    assert len(foto.sha256) == 64


def test_logo_png_text_chunks_are_gone_and_it_is_scaled_into_its_box(confidant_client, org_a):
    original = png_with_text()
    response = post_logo(confidant_client, org_a, original)
    assert response.status_code == 302

    logo = stored(AfbeeldingSoort.LOGO)
    data = bytes(logo.data)
    assert data != original
    image = assert_no_metadata(data)
    assert image.format == "PNG"
    assert not getattr(image, "text", {})
    assert image.size == (600, 150) == (logo.breedte, logo.hoogte)
    assert image.mode == "RGBA"  # transparency kept
    org_a.refresh_from_db()
    assert org_a.publieke_tekst == "Welkom bij ons."


def test_webp_is_accepted_and_stored_as_png_logo(confidant_client, org_a):
    out = io.BytesIO()
    Image.new("RGB", (100, 50), "white").save(out, "WEBP")
    assert post_logo(confidant_client, org_a, out.getvalue(), "logo.webp").status_code == 302
    assert Image.open(io.BytesIO(bytes(stored(AfbeeldingSoort.LOGO).data))).size == (100, 50)


# --- Refused: a form error, never a 500, and nothing stored ------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "content_type", "message"),
    [
        (png_header_only(20_000, 20_000), "bomb.png", "image/png", "too many pixels"),
        (png_header_only(6_000, 6_000), "big.png", "image/png", "too many pixels"),
        (b"just some text, not an image", "notes.png", "image/png", "not an image"),
        (
            b"<!doctype html><html><script>alert(1)</script></html>",
            "page.png",
            "image/png",
            "not an image",
        ),
        (jpeg_with_metadata()[:3000], "cut.jpg", "image/jpeg", "not an image"),
        (png_with_text()[:-40], "cut.png", "image/png", "not an image"),
        # A GIF is a real image, but not one of the three formats.
        (
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
            b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
            "x.png",
            "image/png",
            "not an image",
        ),
    ],
    ids=[
        "bomb-20000",
        "over-limit-6000",
        "text",
        "html-named-png",
        "truncated-jpeg",
        "truncated-png",
        "gif",
    ],
)
def test_bad_uploads_are_form_errors(confidant_client, org_a, data, name, content_type, message):
    response = post_logo(confidant_client, org_a, data, name, content_type)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Afbeelding.objects.exists()
    # The rest of the form's input is still there.
    assert "Welkom bij ons." in response.content.decode()


def test_too_large_upload_is_a_form_error_and_keeps_the_other_fields(confidant_client, org_a):
    data = jpeg_with_metadata() + b"\0" * afbeeldingen.MAX_BYTES
    response = post_photo(confidant_client, org_a, data, **{"profiel-telefoon": "06 12345678"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The image is too large: at most 5.0\xa0MB" in html
    assert "Ik luister." in html and "06 12345678" in html
    assert not Afbeelding.objects.exists()
    membership = org_a.lidmaatschappen.get()
    assert membership.telefoon == "" and membership.introductie != "Ik luister."  # not saved


# --- Replacing and removing, audited --------------------------------------------------------


def test_upload_replace_and_remove_are_audited(confidant_client, confidant_a, org_a):
    post_logo(confidant_client, org_a, png_with_text())
    first = stored(AfbeeldingSoort.LOGO)
    other = io.BytesIO()
    Image.new("RGB", (300, 100), "navy").save(other, "PNG")
    post_logo(confidant_client, org_a, other.getvalue())
    second = stored(AfbeeldingSoort.LOGO)
    assert second.sha256 != first.sha256
    # The old address no longer answers: it must never show other bytes.
    assert Client().get(en("publiek:logo", org_a.slug, first.versie)).status_code == 404
    assert Client().get(en("publiek:logo", org_a.slug, second.versie)).status_code == 200

    response = confidant_client.post(
        edit_url(org_a), {"form": "info", "info-logo_verwijderen": "on"}
    )
    assert response.status_code == 302
    assert not Afbeelding.objects.exists()
    assert Client().get(en("publiek:logo", org_a.slug, second.versie)).status_code == 404

    actions = list(
        AuditEvent.objects.filter(actor=confidant_a, organisatie=org_a)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions.count(Action.ORG_PAGE_IMAGE_ADDED) == 2
    assert actions.count(Action.ORG_PAGE_IMAGE_REMOVED) == 1

    # The photo too.
    post_photo(confidant_client, org_a, jpeg_with_metadata())
    assert Afbeelding.objects.filter(soort=AfbeeldingSoort.FOTO).exists()
    post_photo(confidant_client, org_a, None, **{"profiel-foto_verwijderen": "on"})
    assert not Afbeelding.objects.exists()
    assert AuditEvent.objects.filter(action=Action.ORG_PAGE_IMAGE_REMOVED).count() == 2


def test_remove_tick_is_only_offered_when_there_is_an_image(confidant_client, org_a):
    html = confidant_client.get(edit_url(org_a)).content.decode()
    assert 'name="info-logo"' in html and 'enctype="multipart/form-data"' in html
    assert "info-logo_verwijderen" not in html and "profiel-foto_verwijderen" not in html
    post_logo(confidant_client, org_a, png_with_text())
    html = confidant_client.get(edit_url(org_a)).content.decode()
    assert "info-logo_verwijderen" in html


# --- Serving -------------------------------------------------------------------------------


def test_served_image_headers(confidant_client, org_a):
    post_logo(confidant_client, org_a, png_with_text())
    logo = stored(AfbeeldingSoort.LOGO)
    response = Client().get(en("publiek:logo", org_a.slug, logo.versie))
    assert response.status_code == 200
    assert response.content == bytes(logo.data)
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="logo.png"'
    assert response["ETag"] == f'"{logo.sha256}"'
    assert response["Referrer-Policy"] == "no-referrer"
    # Like every page of vpcase: a shared device keeps no copy of it (see _image_response).
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


def test_hidden_confidants_photo_is_404_until_published(confidant_client, org_a):
    post_photo(confidant_client, org_a, jpeg_with_metadata(), publish=False)
    foto = stored(AfbeeldingSoort.FOTO)
    url = en("publiek:foto", org_a.slug, foto.versie)
    assert Client().get(url).status_code == 404
    page = confidant_client.get(edit_url(org_a)).content.decode()
    assert "it is shown once your entry is on the public page" in page

    post_photo(confidant_client, org_a, None, publish=True)
    assert Client().get(url).status_code == 200
    # Hidden again: gone again.
    post_photo(confidant_client, org_a, None, publish=False)
    assert Client().get(url).status_code == 404


def test_deactivated_confidants_photo_is_404(confidant_client, confidant_a, org_a):
    post_photo(confidant_client, org_a, jpeg_with_metadata())
    foto = stored(AfbeeldingSoort.FOTO)
    url = en("publiek:foto", org_a.slug, foto.versie)
    assert Client().get(url).status_code == 200
    confidant_a.is_active = False
    confidant_a.save()
    assert Client().get(url).status_code == 404


def test_inactive_organisation_images_are_404(confidant_client, org_a):
    post_logo(confidant_client, org_a, png_with_text())
    post_photo(confidant_client, org_a, jpeg_with_metadata())
    logo, foto = stored(AfbeeldingSoort.LOGO), stored(AfbeeldingSoort.FOTO)
    urls = [
        en("publiek:logo", org_a.slug, logo.versie),
        en("publiek:foto", org_a.slug, foto.versie),
    ]
    assert [Client().get(u).status_code for u in urls] == [200, 200]
    org_a.actief = False
    org_a.save()
    assert [Client().get(u).status_code for u in urls] == [404, 404]


def test_photo_of_one_organisation_is_not_served_under_another(confidant_client, org_a, org_b):
    post_photo(confidant_client, org_a, jpeg_with_metadata())
    foto = stored(AfbeeldingSoort.FOTO)
    assert Client().get(en("publiek:foto", org_b.slug, foto.versie)).status_code == 404
    assert Client().get(en("publiek:foto", org_a.slug, "0" * 16)).status_code == 404
    assert Client().get(en("publiek:logo", org_a.slug, "not-a-version")).status_code == 404


def test_public_page_poster_and_contact_show_the_images_with_alt_text(
    confidant_client, confidant_a, org_a, django_capture_on_commit_callbacks
):
    page_url = en("publiek:organisatie", org_a.slug)
    assert "<img" not in Client().get(page_url).content.decode()  # now in the page cache
    with django_capture_on_commit_callbacks(execute=True):
        post_logo(confidant_client, org_a, png_with_text())
        post_photo(confidant_client, org_a, jpeg_with_metadata())
    logo, foto = stored(AfbeeldingSoort.LOGO), stored(AfbeeldingSoort.FOTO)
    logo_tag = (
        f'<img src="{en("publiek:logo", org_a.slug, logo.versie)}" alt="Logo of Organisatie A" '
        'width="300" height="75">'
    )
    html = Client().get(page_url).content.decode()
    assert logo_tag in html
    assert (
        f'<img class="card-photo" src="{en("publiek:foto", org_a.slug, foto.versie)}" '
        f'alt="Photo of {confidant_a.full_name}" width="96" height="96">'
    ) in html
    assert logo_tag in Client().get(en("publiek:poster", org_a.slug)).content.decode()
    assert logo_tag in Client().get(en("publiek:contact", org_a.slug)).content.decode()


# --- Who may upload --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("confidant_a", 302),
        ("colleague_a", 302),  # any confidant of the organisation edits its page
        ("confidant_b", 404),
        ("hr_a", 403),
        ("admin", 403),
        ("anonymous", "login"),
    ],
)
def test_who_may_upload_a_logo(role, expected, org_a, confidant_a, confidant_b, hr_a, admin_user):
    users = {
        "confidant_a": confidant_a,
        "colleague_a": ConfidantFactory(organisaties=[org_a]),
        "confidant_b": confidant_b,
        "hr_a": hr_a,
        "admin": admin_user,
    }
    client = Client() if role == "anonymous" else verified_client(users[role])
    for response in (
        post_logo(client, org_a, png_with_text()),
        post_photo(client, org_a, jpeg_with_metadata()),
    ):
        if expected == "login":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login"))
        else:
            assert response.status_code == expected
    assert Afbeelding.objects.exists() == (expected == 302)


def test_a_colleague_cannot_touch_another_confidants_photo(confidant_client, org_a):
    post_photo(confidant_client, org_a, jpeg_with_metadata())
    mine = stored(AfbeeldingSoort.FOTO)
    colleague = verified_client(ConfidantFactory(organisaties=[org_a]))
    # The colleague's form is their own entry: their tick removes nothing of mine.
    colleague.post(edit_url(org_a), {"form": "profiel", "profiel-foto_verwijderen": "on"})
    assert Afbeelding.objects.get() == mine


def test_truncated_upload_is_refused_even_after_weasyprint_relaxed_pillow(monkeypatch):
    # WeasyPrint switches Pillow to accepting cut-off files on import (the web process has it).
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = jpeg_with_metadata()
    with pytest.raises(ValidationError):
        afbeeldingen.foto(io.BytesIO(data[: len(data) // 2]))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as it was
