"""The public organisation page comes from the cache (meldingen.publiek_cache) and is
dropped from it as soon as anything it shows changes."""

from __future__ import annotations

import pytest
from django.test import Client

from meldingen import publiek_cache
from tests.factories import ConfidantFactory

pytestmark = pytest.mark.django_db


def page(org, prefix="", client=None):
    # A literal path: reverse() would follow the language the previous request activated.
    return (client or Client()).get(f"{prefix}/o/{org.slug}/")


def test_second_visit_is_served_without_a_query(org_a, confidant_a, django_assert_num_queries):
    first = page(org_a)
    with django_assert_num_queries(0):
        second = page(org_a)
    assert second.status_code == 200
    assert second.content == first.content
    assert confidant_a.full_name in second.content.decode()
    # The headers are the page's own, not the cache's.
    assert second["Referrer-Policy"] == "no-referrer"
    assert second["Cache-Control"] == "no-store"
    assert "default-src 'none'" in second["Content-Security-Policy"]
    assert set(second.cookies) <= {"csrftoken"}


def test_each_language_is_kept_apart(org_a):
    assert "Ask for contact anonymously" not in page(org_a).content.decode()
    assert "Ask for contact anonymously" in page(org_a, "/en").content.decode()
    assert "Ask for contact anonymously" not in page(org_a).content.decode()


def test_a_profile_edit_shows_at_once(org_a, confidant_a):
    page(org_a)
    membership = confidant_a.lidmaatschappen.get()
    membership.introductie = "Nieuw: ik werk nu op locatie Zwolle."
    membership.save()
    assert "locatie Zwolle" in page(org_a).content.decode()


def test_a_confidant_hidden_deactivated_renamed_or_added_shows_at_once(org_a, confidant_a):
    page(org_a)
    colleague = ConfidantFactory(full_name="Nieuwe Collega", organisaties=[org_a])
    assert "Nieuwe Collega" in page(org_a).content.decode()
    colleague.full_name = "Hernoemde Collega"
    colleague.save()
    assert "Hernoemde Collega" in page(org_a).content.decode()
    colleague.is_active = False
    colleague.save()
    assert "Hernoemde Collega" not in page(org_a).content.decode()
    membership = confidant_a.lidmaatschappen.get()
    membership.zichtbaar = False
    membership.save()
    assert confidant_a.full_name not in page(org_a).content.decode()
    confidant_a.lidmaatschappen.all().delete()
    assert confidant_a.full_name not in page(org_a).content.decode()


def test_an_organisation_edited_or_deactivated_shows_at_once(org_a):
    page(org_a)
    org_a.publieke_tekst = "Spreekuur op dinsdag."
    org_a.save()
    assert "Spreekuur op dinsdag." in page(org_a).content.decode()
    org_a.actief = False
    org_a.save()
    assert page(org_a).status_code == 404


def test_a_visitor_with_a_session_or_a_message_gets_a_page_of_their_own(org_a):
    page(org_a)
    publiek_cache.put(org_a.slug, b"cached copy")
    assert page(org_a).content == b"cached copy"
    for cookie in ("vpcase_session", "messages"):
        client = Client()
        client.cookies[cookie] = "iets"
        response = page(org_a, client=client)
        assert response.content != b"cached copy"
        assert org_a.naam in response.content.decode()
    assert page(org_a).content == b"cached copy"  # and they did not replace the shared copy


def test_the_page_works_while_redis_is_down(org_a, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    }
    assert page(org_a).status_code == 200
    assert page(org_a).status_code == 200
    org_a.naam = "Hernoemd"
    org_a.save()  # the signal cannot reach Redis either: no error


POISON = "poison7f3a"


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_shared_copy_holds_nothing_of_the_visitor_who_filled_it(
    org_a, confidant_a, prefix, django_assert_num_queries
):
    """Whoever fills the cache after it was dropped sends odd query strings, headers and
    cookies: what every later visitor gets is byte for byte a clean render."""
    publiek_cache.forget(org_a.slug)  # as after any edit of the organisation
    first = Client(
        HTTP_USER_AGENT=f"Mozilla/5.0 ({POISON}-agent)",
        HTTP_REFERER=f"https://evil.example/{POISON}-referer",
        HTTP_ACCEPT_LANGUAGE="en" if not prefix else "nl",
        HTTP_X_FORWARDED_HOST=f"{POISON}-host.example",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_REQUESTED_WITH=f"{POISON}-header",
    )
    first.cookies["csrftoken"] = "a" * 32
    first.cookies["django_language"] = "en" if not prefix else "nl"
    first.cookies["tracker"] = f"{POISON}-cookie"
    filled = first.get(
        f"{prefix}/o/{org_a.slug}/",
        {"poisoned": f'"><b>{POISON}-query</b>', "next": f"/{POISON}-next", "lang": "xx"},
    )
    assert filled.status_code == 200
    with django_assert_num_queries(0):  # the later visitors get the copy the first one made
        later = [page(org_a, prefix).content for _ in range(2)]

    publiek_cache.forget(org_a.slug)
    clean = page(org_a, prefix).content  # rendered for a visitor who sent nothing at all
    assert confidant_a.full_name in clean.decode()
    assert "csrfmiddlewaretoken" not in clean.decode()
    for content in (filled.content, *later):
        assert POISON.encode() not in content
        assert b"a" * 32 not in content
        assert content == clean


def test_the_language_switch_links_to_the_clean_path(org_a):
    dutch = Client().get(f"/o/{org_a.slug}/?poisoned=1").content.decode()
    english = Client().get(f"/en/o/{org_a.slug}/?poisoned=1").content.decode()
    assert f'href="/en/o/{org_a.slug}/"' in dutch
    assert f'href="/o/{org_a.slug}/"' in english
    assert "poisoned" not in dutch + english
