"""End to end: a confidant puts the organisation's logo and their own photo on the public page
through the browser; the page, the poster and the contact form show them (loaded from vpcase
itself under the Content-Security-Policy), with alt text, and axe finds nothing, on the desktop
and on a phone."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.factories import ConfidantFactory, OrganisatieFactory
from vpcase.accounts.models import Lidmaatschap

from .conftest import (
    A11yAudit,
    ConsoleLog,
    both_screens,
    field_label,
    label,
    log_in_with_totp,
    t,
    url,
)


def image_file(name: str, size: tuple[int, int], fmt: str, mime: str) -> dict:
    out = io.BytesIO()
    image = Image.new("RGB", size, (20, 90, 160))
    image.paste((240, 200, 40), (0, 0, size[0] // 3, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "camera"
    image.save(out, fmt, exif=exif)
    return {"name": name, "mimeType": mime, "buffer": out.getvalue()}


def wait_until_loaded(page: Page, alt: str) -> None:
    """Until the image with this alt text is decoded (its page may still be fetching it);
    fails after 10 s."""
    page.wait_for_function(
        "alt => [...document.images].some(i => i.alt === alt && i.complete && i.naturalWidth > 0)",
        arg=alt,
        timeout=10_000,
    )


@pytest.mark.e2e
@both_screens
def test_logo_and_photo_on_the_public_page(live_server, new_context, console_log: ConsoleLog):
    a11y = A11yAudit()
    org = OrganisatieFactory(naam="Zorggroep Noord")
    confidant = ConfidantFactory(organisaties=[org], full_name="Vera Jansen")
    page = new_context().new_page()
    log_in_with_totp(page, confidant)

    page.goto(url("meldingen:organisatie_publiek", slug=org.slug))
    a11y.check(page, "public page editor")
    page.get_by_label(label(t("Logo"))).set_input_files(
        image_file("logo.png", (1200, 300), "PNG", "image/png")
    )
    page.get_by_role("button", name=t("Save the page")).click()
    expect(page.get_by_text(t("The public page is saved."))).to_be_visible()

    page.get_by_label(label(field_label(Lidmaatschap, "introductie"))).fill("Ik luister.")
    page.get_by_label(label(field_label(Lidmaatschap, "zichtbaar"))).check()
    page.get_by_label(label(t("Photo"))).set_input_files(
        image_file("ik.jpg", (900, 1200), "JPEG", "image/jpeg")
    )
    page.get_by_role("button", name=t("Save my entry")).click()
    expect(page.get_by_text(t("Your entry on the public page is saved."))).to_be_visible()
    logo_alt = t("Logo of %(org)s", org=org.naam)
    photo_alt = t("Photo of %(name)s", name=confidant.full_name)
    wait_until_loaded(page, logo_alt)
    wait_until_loaded(page, photo_alt)
    a11y.check(page, "public page editor, with images")

    # An employee, in a browser of their own.
    visitor = new_context().new_page()
    visitor.goto(url("publiek:organisatie", slug=org.slug))
    expect(visitor.get_by_role("img", name=logo_alt)).to_be_visible()
    expect(visitor.get_by_role("img", name=photo_alt)).to_be_visible()
    wait_until_loaded(visitor, logo_alt)
    wait_until_loaded(visitor, photo_alt)
    a11y.check(visitor, "public page with logo and photo")
    visitor.goto(url("publiek:poster", slug=org.slug))
    wait_until_loaded(visitor, logo_alt)
    a11y.check(visitor, "poster with logo")
    visitor.goto(url("publiek:contact", slug=org.slug))
    wait_until_loaded(visitor, logo_alt)
    a11y.check(visitor, "contact form with logo")

    a11y.assert_clean()
    console_log.assert_clean()
