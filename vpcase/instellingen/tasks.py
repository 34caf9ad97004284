from celery import shared_task

from vpcase.accounts import login_records

from .selectors import instellingen_get


@shared_task(ignore_result=True)
def purge_login_records() -> None:
    """Hourly: delete staff login records older than the period the admin set."""
    login_records.purge(days=instellingen_get().inlogregistratie_dagen)
