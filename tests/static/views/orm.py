# Deliberately bad and good view code for the rule vpcase-no-orm-in-views (.semgrep/): every
# line marked `ruleid` must be caught, every line marked `ok` must not. tests/test_static.py
# reads the marks. It is never imported.
from django.core.cache import cache
from django.shortcuts import render


def bad_view(request, Melding, AuditEvent, form, melding, verzoek, qs, selectors):
    # ruleid: vpcase-no-orm-in-views
    events = AuditEvent.objects.filter(target_id=str(melding.pk)).select_related("actor")
    # ruleid: vpcase-no-orm-in-views
    Melding.objects.create(nummer="2026-0001")
    # ruleid: vpcase-no-orm-in-views
    count = Melding.objects.count()
    # ruleid: vpcase-no-orm-in-views
    form.save()
    # ruleid: vpcase-no-orm-in-views
    melding.save(update_fields=["status"])
    # ruleid: vpcase-no-orm-in-views
    melding.delete()
    # ruleid: vpcase-no-orm-in-views
    verzoek.berichten.filter(gelezen=False).update(gelezen=True)
    # ruleid: vpcase-no-orm-in-views
    qs.exclude(pk=1).update(status="open")
    # ruleid: vpcase-no-orm-in-views
    verzoek.berichten.bulk_create([])
    # ruleid: vpcase-no-orm-in-views
    melding.gesprekken.get_or_create(datum=None)
    # ruleid: vpcase-no-orm-in-views
    qs.select_for_update()
    # ruleid: vpcase-no-orm-in-views
    first = selectors.handover_open().filter(pk=1).first()
    # ruleid: vpcase-no-orm-in-views
    rest = qs.exclude(pk=1)
    # ruleid: vpcase-no-orm-in-views
    melding.refresh_from_db()
    return render(request, "x.html", {"events": events, "count": count, "x": (first, rest)})


def good_view(request, selectors, services, form):
    context = {"page": selectors.melding_list(user=request.user)}
    # ok: vpcase-no-orm-in-views
    context.update(form=form)
    # ok: vpcase-no-orm-in-views
    cache.delete("key")
    # ok: vpcase-no-orm-in-views
    request.session.flush()
    if form.is_valid():
        # ok: vpcase-no-orm-in-views
        services.melding_create(user=request.user, **form.cleaned_data)
    return render(request, "x.html", context)
