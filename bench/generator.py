"""Benchmark data: many organisations, confidants and cases, made fast with bulk inserts.

Nothing goes through the services (no audit events, no per-row queries): rows are built in
Python and written with bulk_create, chunk by chunk, each chunk in its own transaction. Case
numbers ("YYYY-NNNN", per organisation and year, five digits and more past 9999, as the app
numbers them) are drawn here, in order of the opening date. On PostgreSQL, outside a transaction, the chunks are
written by `workers` forked processes (default 2: one builds and encrypts while PostgreSQL
writes the other's rows); each chunk has its own seeded random generator, so the data is the
same for any number of workers. Inside a transaction (the tests) everything runs in-process.

Retention: closed cases get vernietigen_na from their organisation's retention period (60
months by default, so nothing is due yet over four years of data). With a shorter period the
cases already past it are written as the retention job leaves them: narrative emptied,
verhaal_vernietigd_op set, no request or access rows.

Encryption is real: bulk_create sends every value through the encrypted field's
get_db_prep_save, so each row holds its own ciphertext, exactly as the ORM writes it.

Receipt codes: a real code costs one Argon2id hash (~30 ms), so only `mailbox_codes` requests
get a real code (written to the JSON file); every other request gets a unique random 64-hex
code_hash that no code opens.

Distributions (categories, relations, roles, channels, outcomes, interventions) are the weight
tables of rapportage.demo. Randomness is seeded (--seed): the same data shape every run; the
credentials and the encryption IVs are random every run.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import random
import secrets
import time
import uuid
from base64 import b32encode
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldingen import receipts
from meldingen.models import (
    Afzender,
    Bericht,
    Contactwijze,
    Gebeurtenis,
    GebeurtenisSoort,
    Gesprek,
    GesprekInterventie,
    Melding,
    MeldingCategorie,
    Status,
    Toegang,
    Verzoek,
    VerzoekStatus,
)
from meldingen.selectors import add_months
from rapportage.demo import CATEGORIES, CHANNELS, INTERVENTIONS, OUTCOMES, RELATIONS, ROLES
from rapportage.models import Activiteit, GerichtAan, Signaal
from vpcase.accounts.models import Lidmaatschap, Organisatie, Role, User

DEFAULT_CODES_FILE = Path(settings.BASE_DIR) / "bench" / "seed.json"
EMAIL_DOMAIN = "bench.vpcase.invalid"
SLUG_PREFIX = "bench-"
YEARS = 4
BIG_CASE_CONVERSATIONS = 50

GENDERS = [("vrouw", 58), ("man", 36), ("anders", 2), ("", 4)]
FORMS = [("fysiek", 50), ("telefoon", 25), ("video", 17), ("schriftelijk", 8)]
DURATIONS = [15, 20, 30, 30, 45, 45, 45, 60, 60, 60, 75, 90, 120]
# 1-10 conversations per case, mean about 4.2.
CONVERSATION_COUNTS = list(enumerate([14, 17, 16, 14, 11, 9, 7, 5, 4, 3], start=1))
CONTACT_WAYS = [("postvak", 70), ("telefoon", 15), ("email", 15)]
SIGNAL_THEMES = [*CATEGORIES, ("anders", 6)]
# Per organisation and year (rapportage.demo's counts).
ACTIVITIES = [
    ("voorlichting", 3),
    ("management", 2),
    ("or", 1),
    ("introductie", 4),
    ("intranet", 2),
    ("training", 1),
    ("overleg", 4),
]
ACTIVITY_TEXT = {
    "voorlichting": "Voorlichting over ongewenst gedrag in het teamoverleg",
    "management": "Jaargesprek met het managementteam",
    "or": "Overleg met de ondernemingsraad",
    "introductie": "Introductie bij de inwerkdag voor nieuwe medewerkers",
    "intranet": "Stuk op intranet over de rol van de vertrouwenspersoon",
    "training": "Workshop omgangsvormen voor leidinggevenden",
    "overleg": "Afstemming met HR en de preventiemedewerker",
}

FIRST_NAMES = (
    "Anouk Bas Carmen Daan Esra Fleur Gijs Hanna Ilse Jeroen Kim Lotte Mohamed Noor Olga "
    "Pieter Quinten Romy Sanne Thijs Umut Vera Wouter Yara Zoë Fatima Joost Marieke Rik Saskia "
    "Tim Ayşe Koen Lieke Mark Nadia Ruben Sophie Youssef Eline"
).split()
LAST_NAMES = (
    "de Vries|Jansen|van den Berg|Bakker|Visser|Smit|Meijer|de Boer|Mulder|de Groot|Bos|Vos|"
    "Peters|Hendriks|van Leeuwen|Dekker|Brouwer|de Wit|Dijkstra|Smits|de Graaf|van der Meer|"
    "Kaya|Yilmaz|El Amrani|Bouzid|Koster|Prins|Huisman|Kuipers|van Dijk|Willems|Verbeek|Postma"
).split("|")

NOTE_SENTENCES = [
    "Melder vertelt dat de situatie al enkele maanden speelt en steeds zwaarder wordt.",
    "In het teamoverleg worden regelmatig opmerkingen gemaakt die als kleinerend worden ervaren.",
    "De leidinggevende reageert afwijzend wanneer melder het onderwerp aankaart.",
    "Melder slaapt slecht en merkt dat het werkplezier sterk is afgenomen.",
    "We hebben de mogelijkheden doorgenomen: informeel gesprek, bemiddeling of een formele klacht.",
    "Melder wil op dit moment vooral gehoord worden en nog geen stappen zetten.",
    "Uitgelegd wat de rol van de vertrouwenspersoon is en wat er vertrouwelijk blijft.",
    "Er zijn collega's die het gedrag ook hebben gezien, maar zij willen niet betrokken raken.",
    "Melder twijfelt of het gedrag wel ernstig genoeg is om er iets mee te doen.",
    "Besproken hoe melder het gesprek met de betrokken collega zelf kan voorbereiden.",
    "De werkdruk op de afdeling is hoog door langdurig verzuim en openstaande vacatures.",
    "Melder geeft aan zich onveilig te voelen tijdens de avonddiensten.",
    "Volgens melder worden taken oneerlijk verdeeld en wordt er over haar geroddeld.",
    "Er is gesproken over de klachtenregeling en de procedure bij de klachtencommissie.",
    "Melder heeft aantekeningen bijgehouden van data en voorvallen; advies om dat voort te zetten.",
    "Het gesprek met de leidinggevende heeft volgens melder weinig opgeleverd.",
    "Melder overweegt zich ziek te melden en is doorverwezen naar de bedrijfsarts.",
    "We hebben samen gekeken naar wat melder nodig heeft om weer met plezier te werken.",
    "Een klant heeft melder aan de balie uitgescholden en bedreigd.",
    "De afdeling heeft een incidentmelding gedaan, maar melder heeft daar niets meer over gehoord.",
    "Melder ervaart de opmerkingen over afkomst en geloof als discriminerend.",
    "Melder is bang voor de gevolgen voor de verlenging van het contract.",
    "Afgesproken dat melder zelf contact opneemt als de situatie verandert.",
    "Er lijkt sprake van een conflict dat al langer sluimert tussen twee teams.",
    "Melder wil anoniem blijven en geeft geen toestemming om informatie te delen.",
    "Besproken welke steun melder thuis en in de eigen omgeving heeft.",
    "Melder is opgelucht dat het verhaal serieus wordt genomen.",
    "De opmerkingen gaan vaak over uiterlijk en kleding en worden als grensoverschrijdend ervaren.",
    "Melder vertelt over ongewenste aanrakingen tijdens de personeelsborrel.",
    "Het lijkt te gaan om een patroon dat ook andere collega's raakt.",
    "Melder heeft vragen over integriteit rond de aanbesteding en twijfelt of dit een misstand is.",
    "Uitleg gegeven over het Huis voor Klokkenluiders en de interne meldregeling.",
    "Gezamenlijk een plan gemaakt voor het gesprek met de manager volgende week.",
    "Melder voelt zich buitengesloten bij de lunch en wordt niet uitgenodigd voor overleggen.",
    "De sfeer in het team is gespannen sinds de reorganisatie.",
    "Melder geeft aan dat het gesprek met de collega goed is verlopen en dat het nu beter gaat.",
    "Er zijn berichten in de groepsapp verstuurd die melder als intimiderend ervaart.",
    "Melder heeft behoefte aan een luisterend oor en wil er later op terugkomen.",
    "We hebben de voor- en nadelen van bemiddeling door een externe mediator besproken.",
    "Melder werkt via een uitzendbureau en weet niet bij wie ze terecht kan.",
    "Besproken dat de vertrouwenspersoon geen onderzoek doet en geen partij kiest.",
    "Melder wil eerst met de partner overleggen voordat er vervolgstappen worden gezet.",
    "De leidinggevende spreekt melder in het bijzijn van anderen aan op fouten.",
    "Melder merkt lichamelijke klachten zoals hoofdpijn en vermoeidheid.",
    "Geadviseerd om het gedrag concreet te benoemen en duidelijk een grens aan te geven.",
    "Melder heeft inmiddels een gesprek gehad met HR over overplaatsing.",
    "Volgens melder wordt er niets gedaan met eerdere signalen over deze leidinggevende.",
    "Het voorval vond plaats tijdens een dienstreis en melder weet niet hoe het nu verder moet.",
]
AGREEMENT_SENTENCES = [
    "Over twee weken opnieuw spreken.",
    "Melder neemt zelf contact op als dat nodig is.",
    "Melder bereidt het gesprek met de leidinggevende voor.",
    "Vertrouwenspersoon stuurt informatie over de klachtenregeling.",
    "Melder maakt een afspraak met de bedrijfsarts.",
    "Na het gesprek met HR evalueren.",
    "Melder houdt een logboek bij van voorvallen.",
    "Volgende afspraak telefonisch.",
    "Melder denkt na over bemiddeling en laat het voor het eind van de maand weten.",
    "Geen vervolgafspraak; melder weet ons te vinden.",
]
SUMMARY_SENTENCES = NOTE_SENTENCES[:24]
MAILBOX_SENTENCES = [
    "Ik wil graag met iemand praten over iets wat er op mijn afdeling gebeurt.",
    "Ik durf dit niet met mijn leidinggevende te bespreken.",
    "Een collega maakt al een tijd opmerkingen die ik niet prettig vind.",
    "Kunt u mij vertellen wat mijn mogelijkheden zijn?",
    "Ik wil liever anoniem blijven tot ik weet wat er met mijn verhaal gebeurt.",
    "Dank voor uw reactie, een gesprek lijkt me goed.",
    "Ik kan het beste op dinsdag of donderdag na vijf uur.",
    "Het is sinds mijn vorige bericht niet beter geworden.",
    "Fijn dat u contact opneemt; ik ben na werktijd het beste bereikbaar.",
    "Ik wil graag weten wat vertrouwelijk blijft als ik een gesprek aanvraag.",
]
SIGNAL_SENTENCES = [
    "Meerdere medewerkers ervaren structureel hoge werkdruk rond de jaarafsluiting.",
    "Advies: bespreek de omgangsvormen jaarlijks in elk teamoverleg.",
    "Er komen signalen binnen over een harde toon in de communicatie van leidinggevenden.",
    "Advies: maak de gedragscode zichtbaarder voor uitzendkrachten en stagiairs.",
    "Rond de reorganisatie nemen de meldingen over onzekerheid en conflicten toe.",
    "Advies: train leidinggevenden in het voeren van lastige gesprekken.",
    "Medewerkers aan de balie krijgen vaker te maken met agressie van klanten.",
    "Advies: zorg voor een duidelijke opvang na incidenten.",
]
VOORKEUR = [
    "",
    "",
    "Liefst 's avonds",
    "Dinsdag- of donderdagmiddag",
    "Na 17.00 uur",
    "In de ochtend voor 9 uur",
]


class Weighted:
    """A fast weighted pick: the table expanded by weight, indexed by one random()."""

    def __init__(self, table):
        self.items = [value for value, weight in table for _ in range(weight)]
        self.n = len(self.items)

    def __call__(self, rng: random.Random):
        return self.items[int(rng.random() * self.n)]


PICK_CATEGORY = Weighted(CATEGORIES)
PICK_RELATION = Weighted(RELATIONS)
PICK_ROLE = Weighted(ROLES)
PICK_CHANNEL = Weighted(CHANNELS)
PICK_OUTCOME = Weighted(OUTCOMES)
PICK_INTERVENTION = Weighted(INTERVENTIONS)
PICK_GENDER = Weighted(GENDERS)
PICK_FORM = Weighted(FORMS)
PICK_COUNT = Weighted(CONVERSATION_COUNTS)
PICK_CONTACT = Weighted(CONTACT_WAYS)
PICK_THEME = Weighted(SIGNAL_THEMES)


def _avg(pool: list[str]) -> int:
    return max(1, sum(map(len, pool)) // len(pool) + 1)


_AVG = {
    id(p): _avg(p)
    for p in (
        NOTE_SENTENCES,
        AGREEMENT_SENTENCES,
        SUMMARY_SENTENCES,
        MAILBOX_SENTENCES,
        SIGNAL_SENTENCES,
    )
}


def filler(rng: random.Random, pool: list[str], length: int) -> str:
    """Dutch-ish text of about `length` characters (cut at a word), in paragraphs."""
    k = length // _AVG.get(id(pool), _avg(pool)) + 2
    parts = rng.choices(pool, k=k)
    text = "\n\n".join(" ".join(parts[i : i + 5]) for i in range(0, k, 5))
    if len(text) > length:
        cut = text.rfind(" ", 0, length)
        text = text[: cut if cut > length * 0.8 else length].rstrip() + "."
    return text


def note_length(rng: random.Random) -> int:
    # Log-normal around 900 characters, between 200 and 3000 (mean about 1050).
    return min(3000, max(200, int(rng.lognormvariate(6.8, 0.6))))


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def contact(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"06-{rng.randrange(10_000_000, 100_000_000)}"
    return f"{rng.choice(FIRST_NAMES).lower()}.{rng.randrange(100, 999)}@example.nl"


@dataclass
class Options:
    orgs: int = 5
    cases: int = 1000
    seed: int = 2026
    confidants_per_org: int = 3
    big_confidant_cases: int = 10_000
    codes_file: Path = DEFAULT_CODES_FILE
    password: str | None = None
    mailbox_codes: int = 20
    retention_months: int = 60
    chunk: int = 2000
    batch_size: int = 2000
    events: bool = True
    vacuum: bool = True
    workers: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))


@dataclass
class OrgInfo:
    org: Organisatie
    confidants: list[int] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    cases: int = 0


class Generator:
    def __init__(self, options: Options, log=print):
        self.o = options
        self.log = log
        self.rng = random.Random(options.seed)
        self.today = timezone.localdate()
        self.start = self.today - timedelta(days=YEARS * 365)
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.counts: Counter[str] = Counter()
        self.t0 = time.perf_counter()

    # --- helpers ---------------------------------------------------------------------------

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, day: int, hour: int | None = None, minute: int | None = None) -> datetime:
        """An aware datetime on date ordinal `day` during office hours."""
        d = date.fromordinal(day)
        moment = datetime(
            d.year,
            d.month,
            d.day,
            self.rng.randint(8, 17) if hour is None else hour,
            self.rng.randrange(60) if minute is None else minute,
            tzinfo=self.tz,
        )
        return min(moment, self.now)

    def to_the_hour(self, moment: datetime) -> datetime:
        return moment.replace(minute=0, second=0, microsecond=0)

    def elapsed(self) -> str:
        return f"{time.perf_counter() - self.t0:6.1f}s"

    # --- accounts ------------------------------------------------------------------------

    def make_accounts(self) -> dict:
        o = self.o
        rng = self.rng
        if Organisatie.objects.filter(slug__startswith=SLUG_PREFIX).exists():
            raise ValueError(
                "This database already holds bench organisations (slug bench-…); "
                "seed an empty database."
            )
        password = o.password or "bench-" + secrets.token_urlsafe(12)
        encoded = make_password(password)  # one hash for every account: Argon2 costs ~50 ms
        orgs = Organisatie.objects.bulk_create(
            [
                Organisatie(
                    naam=f"Bench-organisatie {i + 1:03d}",
                    slug=f"{SLUG_PREFIX}{i + 1:03d}",
                    bewaartermijn_maanden=o.retention_months,
                )
                for i in range(o.orgs)
            ]
        )
        users: list[User] = [
            User(
                email=f"beheer@{EMAIL_DOMAIN}",
                full_name="Bench Beheer",
                role=Role.ADMIN,
                password=encoded,
            )
        ]
        for org in orgs:
            for j in range(o.confidants_per_org):
                users.append(
                    User(
                        email=f"vp{j + 1}.{org.slug}@{EMAIL_DOMAIN}",
                        full_name=person_name(rng),
                        role=Role.CONFIDANT,
                        password=encoded,
                    )
                )
            users.append(
                User(
                    email=f"hr.{org.slug}@{EMAIL_DOMAIN}",
                    full_name=person_name(rng),
                    role=Role.HR,
                    password=encoded,
                )
            )
        users = User.objects.bulk_create(users)
        by_email = {u.email: u for u in users}
        keys = {u.pk: secrets.token_hex(20) for u in users}
        TOTPDevice.objects.bulk_create(
            [TOTPDevice(user=u, name="vpcase", confirmed=True, key=keys[u.pk]) for u in users]
        )
        memberships = []
        self.orginfo: list[OrgInfo] = []
        for org in orgs:
            info = OrgInfo(org=org)
            for j in range(o.confidants_per_org):
                user = by_email[f"vp{j + 1}.{org.slug}@{EMAIL_DOMAIN}"]
                info.confidants.append(user.pk)
                info.weights.append(rng.uniform(0.5, 1.5))
                memberships.append(
                    Lidmaatschap(
                        user=user,
                        organisatie=org,
                        zichtbaar=True,
                        extern=rng.random() < 0.3,
                        introductie="Ik ben vertrouwenspersoon en luister naar je verhaal.",
                    )
                )
            memberships.append(
                Lidmaatschap(
                    user=by_email[f"hr.{org.slug}@{EMAIL_DOMAIN}"], organisatie=org, zichtbaar=False
                )
            )
            self.orginfo.append(info)
        Lidmaatschap.objects.bulk_create(memberships)
        self.counts.update(
            organisaties=len(orgs),
            users=len(users),
            totp_devices=len(users),
            lidmaatschappen=len(memberships),
        )

        def login(user: User) -> dict:
            key = keys[user.pk]
            return {
                "email": user.email,
                "role": user.role,
                "totp_key": key,  # hex, as django-otp stores it
                "totp_key_hex": key,
                "totp_key_base32": b32encode(bytes.fromhex(key)).decode(),
            }

        self.accounts = {
            "password": password,
            "admin": login(users[0]),
            "confidants": [
                {**login(u), "org": u.email.split(".", 1)[1].split("@")[0]}
                for u in users
                if u.role == Role.CONFIDANT
            ],
            "hr": [
                {**login(u), "org": u.email.split(".", 1)[1].split("@")[0]}
                for u in users
                if u.role == Role.HR
            ],
        }
        self.users_by_pk = {u.pk: u for u in users}
        return self.accounts

    # --- planning ---------------------------------------------------------------------------

    def opened_day(self) -> int:
        """A date ordinal in the last four years: slowly growing, fewer on weekends and in
        the summer and Christmas holidays."""
        rng = self.rng
        first = self.start.toordinal()
        span = self.today.toordinal() - first
        while True:
            day = first + int((span + 1) * rng.random() ** 0.85)
            weekday = (day - 1) % 7
            if weekday >= 5 and rng.random() > 0.15:
                continue
            month = date.fromordinal(day).month
            if month in (7, 8) and rng.random() > 0.75:
                continue
            if month == 12 and rng.random() > 0.85:
                continue
            return day

    def plan(self) -> list[list]:
        o = self.o
        rng = self.rng
        n_orgs, total = o.orgs, o.cases
        k = o.confidants_per_org
        big = max(0, min(o.big_confidant_cases, total))
        if n_orgs == 1:
            org0 = total
            if k == 1:
                big = total
        elif k == 1:
            # The big confidant is the organisation's only confidant: it has exactly C cases.
            org0 = big
        else:
            # The big confidant has about 70 % of its organisation's cases.
            weights = [rng.lognormvariate(0, 0.7) for _ in range(n_orgs)]
            share = round(total * weights[0] / sum(weights))
            org0 = min(total, max(share, math.ceil(big / 0.7)))
        sizes = [org0] + self._split(total - org0, n_orgs - 1)
        self.big = big
        plan: list[list] = []
        # [opened ordinal, org index, confidant pk, special]
        for index, (info, size) in enumerate(zip(self.orginfo, sizes, strict=True)):
            info.cases = size
            others = size
            if index == 0:
                for _ in range(big):
                    plan.append([self.opened_day(), 0, info.confidants[0], False])
                others = size - big
            candidates = info.confidants[1:] if index == 0 else info.confidants
            cand_weights = info.weights[1:] if index == 0 else info.weights
            for pk in rng.choices(candidates, weights=cand_weights, k=others) if others else []:
                plan.append([self.opened_day(), index, pk, False])
        # The case with exactly 50 conversations: the big confidant's, opened two years ago.
        target = self.today.toordinal() - 730
        bigs = [p for p in plan if p[1] == 0 and p[2] == self.orginfo[0].confidants[0]]
        if bigs:
            special = min(bigs, key=lambda p: abs(p[0] - target))
            special[0] = max(self.start.toordinal(), target)
            special[3] = True
        # Case numbers per organisation and year, in order of opening.
        per_org: dict[int, list[list]] = {}
        for p in plan:
            per_org.setdefault(p[1], []).append(p)
        for rows in per_org.values():
            rows.sort(key=lambda p: p[0])
            seq: Counter[int] = Counter()
            for p in rows:
                year = date.fromordinal(p[0]).year
                seq[year] += 1
                p.append(f"{year}-{seq[year]:04d}")
        rng.shuffle(plan)
        plan.sort(key=lambda p: p[0])  # stable: organisations mixed within a day
        return plan

    def _split(self, total: int, parts: int) -> list[int]:
        if parts <= 0:
            return []
        weights = [self.rng.lognormvariate(0, 0.7) for _ in range(parts)]
        scale = total / sum(weights)
        raw = [w * scale for w in weights]
        sizes = [int(r) for r in raw]
        rest = total - sum(sizes)
        for i in sorted(range(parts), key=lambda i: raw[i] - sizes[i], reverse=True)[:rest]:
            sizes[i] += 1
        return sizes

    # --- cases -------------------------------------------------------------------------------

    def closed_probability(self, age: int) -> float:
        # About 80 % of all cases closed; recent ones mostly still running.
        if age < 30:
            return 0.10
        if age < 90:
            return 0.40
        if age < 365:
            return 0.70
        return 0.87

    def case_spec(self, p: list) -> dict:
        rng = self.rng
        opened, org_index, confidant, special, nummer = p
        info = self.orginfo[org_index]
        today = self.today.toordinal()
        age = today - opened
        closed = not special and rng.random() < self.closed_probability(age)
        if special:
            n = BIG_CASE_CONVERSATIONS
        elif not closed and age < 30 and rng.random() < 0.3:
            n = 0  # just opened: no conversation recorded yet, status "open"
        else:
            n = PICK_COUNT(rng)
        close_gap = rng.randint(0, 21) if closed else 0
        close_gap = min(close_gap, age)
        end = today - close_gap
        # Conversation days: the first on or soon after opening, then every 3-35 days,
        # squeezed to fit before today (or before closing).
        days: list[int] = []
        if n:
            first = 0 if rng.random() < 0.6 else rng.randint(1, 5)
            gaps = [rng.randint(3, 35) for _ in range(n - 1)]
            if special:
                gaps = [14] * (n - 1)
            length = first + sum(gaps)
            avail = end - opened
            if length > avail:
                scale = avail / length
                first = int(first * scale)
                gaps = [int(g * scale) for g in gaps]
            day = opened + first
            days.append(day)
            for g in gaps:
                day += g
                days.append(day)
        status = Status.AFGESLOTEN if closed else (Status.LOPEND if n else Status.OPEN)
        gesloten = (days[-1] if days else opened) + close_gap if closed else None
        if gesloten is not None:
            gesloten = min(gesloten, today)
        # Next appointments: usually the next conversation; the last one's for running cases.
        next_dates: list[int | None] = []
        for i, d in enumerate(days):
            if i + 1 < n:
                next_dates.append(days[i + 1] if rng.random() < 0.7 else None)
            elif status == Status.LOPEND and (special or today - d <= 45) and rng.random() < 0.75:
                next_dates.append(today + rng.randint(1, 28))
            else:
                next_dates.append(None)
        categories = {PICK_CATEGORY(rng)}
        if rng.random() < 0.25:
            categories.add(PICK_CATEGORY(rng))
        kanaal = PICK_CHANNEL(rng)
        return {
            "opened": opened,
            "org": info,
            "confidant": confidant,
            "nummer": nummer,
            "status": status,
            "days": days,
            "next": next_dates,
            "gesloten": gesloten,
            "categories": categories,
            "kanaal": kanaal,
            "special": special,
        }

    def build_melding(self, s: dict) -> Melding:
        rng = self.rng
        info: OrgInfo = s["org"]
        closed = s["status"] == Status.AFGESLOTEN
        created = self.at(s["opened"])
        last_day = max([s["opened"], *s["days"], s["gesloten"] or 0])
        vernietigen_na = bewaarplicht = None
        reden = ""
        if closed:
            vernietigen_na = add_months(
                date.fromordinal(s["gesloten"]), info.org.bewaartermijn_maanden
            )
            bewaarplicht = rng.random() < 0.01
            if bewaarplicht:
                reden = "Lopende juridische procedure; melder heeft om bewaring gevraagd."
        destroyed = (
            closed and not bewaarplicht and vernietigen_na.toordinal() < self.today.toordinal()
        )
        s["destroyed"] = destroyed
        anoniem = s["kanaal"] == "anoniem_verzoek"
        if destroyed:
            naam = melder_contact = samenvatting = ""
        else:
            r = rng.random()
            naam = (
                ""
                if anoniem or r < 0.2
                else person_name(rng)
                if r < 0.8
                else f"Melder {rng.choice('ABCDEFGHKLMNPRSTVW')} (pseudoniem)"
            )
            melder_contact = "" if anoniem or rng.random() < 0.4 else contact(rng)
            samenvatting = filler(rng, SUMMARY_SENTENCES, rng.randint(120, 900))
        s["samenvatting"] = samenvatting
        return Melding(
            public_id=self.uuid(),
            organisatie_id=info.org.pk,
            nummer=s["nummer"],
            behandelaar_id=s["confidant"],
            status=s["status"],
            kanaal=s["kanaal"],
            relatie="onbekend" if anoniem and rng.random() < 0.5 else PICK_RELATION(rng),
            melder_rol="medewerker" if anoniem else PICK_ROLE(rng),
            geslacht="" if anoniem else PICK_GENDER(rng),
            geopend_op=date.fromordinal(s["opened"]),
            gesloten_op=date.fromordinal(s["gesloten"]) if closed else None,
            afhandeling=PICK_OUTCOME(rng) if closed else "",
            volgende_afspraak=(
                date.fromordinal(s["next"][-1]) if s["next"] and s["next"][-1] else None
            ),
            melder_naam=naam,
            melder_contact=melder_contact,
            samenvatting=samenvatting,
            vernietigen_na=vernietigen_na,
            bewaarplicht=bool(bewaarplicht),
            bewaarplicht_reden=reden,
            verhaal_vernietigd_op=(
                self.at(vernietigen_na.toordinal() + 1, 3, 0) if destroyed else None
            ),
            aangemaakt_door_id=s["confidant"],
            aangemaakt_op=created,
            laatste_activiteit=self.at(last_day) if last_day > s["opened"] else created,
        )

    def write_chunk(self, index: int) -> dict:
        """Write chunk `index` of the plan in one transaction. Its own random generator, seeded
        by the chunk's index, makes the data the same however the chunks are spread over
        worker processes. Returns what was written."""
        o = self.o
        rng = self.rng = random.Random(o.seed * 1_000_003 + index + 1)
        self.counts = Counter()
        chunk = self.plan_rows[index * o.chunk : (index + 1) * o.chunk]
        special = None
        specs = [self.case_spec(p) for p in chunk]
        meldingen = [self.build_melding(s) for s in specs]
        Melding.objects.bulk_create(meldingen, batch_size=o.batch_size)
        categorieen, gesprekken, events, toegang = [], [], [], []
        conv_interventies: list[set[str]] = []
        linked: list[tuple[dict, Melding]] = []
        for s, m in zip(specs, meldingen, strict=True):
            confidant = s["confidant"]
            for c in s["categories"]:
                categorieen.append(MeldingCategorie(melding_id=m.pk, categorie=c))
            destroyed = s["destroyed"]
            first_recorded = None
            for day, nxt in zip(s["days"], s["next"], strict=True):
                if destroyed:
                    notities = afspraken = ""
                else:
                    notities = filler(rng, NOTE_SENTENCES, note_length(rng))
                    afspraken = (
                        ""
                        if rng.random() < 0.3
                        else filler(rng, AGREEMENT_SENTENCES, rng.randint(30, 400))
                    )
                recorded = self.at(day)
                first_recorded = first_recorded or recorded
                gesprekken.append(
                    Gesprek(
                        melding_id=m.pk,
                        datum=date.fromordinal(day),
                        duur_minuten=rng.choice(DURATIONS),
                        vorm=PICK_FORM(rng),
                        notities=notities,
                        afspraken=afspraken,
                        volgende_afspraak=date.fromordinal(nxt) if nxt else None,
                        vastgelegd_door_id=confidant,
                        vastgelegd_op=recorded,
                    )
                )
                picks = {PICK_INTERVENTION(rng)}
                r = rng.random()
                if r < 0.4:
                    picks.add(PICK_INTERVENTION(rng))
                if r < 0.08:
                    picks.add(PICK_INTERVENTION(rng))
                conv_interventies.append(picks)
            # Access for a colleague on about 2 % of the cases.
            info: OrgInfo = s["org"]
            colleagues = [c for c in info.confidants if c != confidant]
            grant = colleagues and not destroyed and rng.random() < 0.02
            if o.events:
                events.append(
                    Gebeurtenis(
                        melding_id=m.pk,
                        soort=GebeurtenisSoort.GEOPEND,
                        naar_status=Status.OPEN,
                        door_id=confidant,
                        op=m.aangemaakt_op,
                    )
                )
                if first_recorded:
                    events.append(
                        Gebeurtenis(
                            melding_id=m.pk,
                            soort=GebeurtenisSoort.STATUS,
                            van_status=Status.OPEN,
                            naar_status=Status.LOPEND,
                            door_id=confidant,
                            op=first_recorded,
                        )
                    )
                if m.status == Status.AFGESLOTEN:
                    closed_at = self.at(s["gesloten"])
                    events.append(
                        Gebeurtenis(
                            melding_id=m.pk,
                            soort=GebeurtenisSoort.AFGESLOTEN,
                            van_status=Status.LOPEND if first_recorded else Status.OPEN,
                            naar_status=Status.AFGESLOTEN,
                            door_id=confidant,
                            op=closed_at,
                        )
                    )
                    if m.bewaarplicht:
                        events.append(
                            Gebeurtenis(
                                melding_id=m.pk,
                                soort=GebeurtenisSoort.BEWAARPLICHT_AAN,
                                door_id=confidant,
                                op=closed_at,
                            )
                        )
                if destroyed:
                    events.append(
                        Gebeurtenis(
                            melding_id=m.pk,
                            soort=GebeurtenisSoort.VERNIETIGD,
                            door=None,
                            op=m.verhaal_vernietigd_op,
                        )
                    )
            if grant:
                colleague = rng.choice(colleagues)
                granted = self.at(s["opened"] + rng.randint(0, 20))
                revoked = self.at(granted.toordinal() + 30) if rng.random() < 0.2 else None
                toegang.append(
                    Toegang(
                        melding_id=m.pk,
                        user_id=colleague,
                        verleend_door_id=confidant,
                        verleend_op=granted,
                        ingetrokken_op=revoked,
                    )
                )
                if o.events:
                    events.append(
                        Gebeurtenis(
                            melding_id=m.pk,
                            soort=GebeurtenisSoort.TOEGANG_VERLEEND,
                            betreft_id=colleague,
                            door_id=confidant,
                            op=granted,
                        )
                    )
                    if revoked:
                        events.append(
                            Gebeurtenis(
                                melding_id=m.pk,
                                soort=GebeurtenisSoort.TOEGANG_INGETROKKEN,
                                betreft_id=colleague,
                                door_id=confidant,
                                op=revoked,
                            )
                        )
            if s["kanaal"] == "anoniem_verzoek" and not destroyed:
                linked.append((s, m))  # the case was made of an anonymous request
            if s["special"]:
                special = {"public_id": str(m.public_id), "nummer": m.nummer}
        MeldingCategorie.objects.bulk_create(categorieen, batch_size=5000)
        Gesprek.objects.bulk_create(gesprekken, batch_size=o.batch_size)
        interventies = [
            GesprekInterventie(gesprek_id=g.pk, interventie=i)
            for g, picks in zip(gesprekken, conv_interventies, strict=True)
            for i in picks
        ]
        GesprekInterventie.objects.bulk_create(interventies, batch_size=5000)
        Gebeurtenis.objects.bulk_create(events, batch_size=5000)
        Toegang.objects.bulk_create(toegang, batch_size=5000)
        if linked:
            self.write_requests(
                [self.linked_request(s, m) for s, m in linked],
            )
        self.counts.update(
            meldingen=len(meldingen),
            melding_categorieen=len(categorieen),
            gesprekken=len(gesprekken),
            gesprek_interventies=len(interventies),
            gebeurtenissen=len(events),
            toegang=len(toegang),
        )
        self.counts.update(f"status_{m.status}" for m in meldingen)
        for m in meldingen:
            if m.behandelaar_id == self.orginfo[0].confidants[0]:
                self.counts["big_confidant_cases"] += 1
        return {"counts": self.counts, "special": special}

    # --- anonymous requests -----------------------------------------------------------------

    def linked_request(self, s: dict, m: Melding) -> dict:
        """The request a case was made of (status omgezet), received before it was opened."""
        rng = self.rng
        received = self.to_the_hour(
            self.at(max(self.start.toordinal(), s["opened"] - rng.randint(0, 6)))
        )
        return {
            "org": s["org"],
            "melding_id": m.pk,
            "status": VerzoekStatus.OMGEZET,
            "received": received,
            "bericht": s["samenvatting"] or filler(rng, MAILBOX_SENTENCES, 300),
            "categorie": sorted(s["categories"])[0],
            "confidant": s["confidant"],
            "code": None,
        }

    def unlinked_requests(self, count: int, codes: int) -> list[dict]:
        rng = self.rng
        weights = [max(info.cases, 1) for info in self.orginfo]
        today = self.today.toordinal()
        # Requests that are not a case are destroyed `retention_months` after they went
        # quiet: make none that would already be gone.
        cutoff = add_months(self.today, -self.o.retention_months).toordinal() + 1
        specs = []
        for i in range(count):
            info = rng.choices(self.orginfo, weights=weights)[0]
            if i < codes:
                status = VerzoekStatus.NIEUW if i % 2 == 0 else VerzoekStatus.BEANTWOORD
            else:
                r = rng.random()
                status = (
                    VerzoekStatus.NIEUW
                    if r < 0.2
                    else VerzoekStatus.BEANTWOORD
                    if r < 0.55
                    else VerzoekStatus.GESLOTEN
                )
            if status == VerzoekStatus.NIEUW:
                day = today - rng.randint(0, 10)
            elif status == VerzoekStatus.BEANTWOORD:
                day = today - rng.randint(3, 150)
            else:
                day = rng.randint(self.start.toordinal(), today - 2)
            day = max(day, cutoff, self.start.toordinal())
            specs.append(
                {
                    "org": info,
                    "melding_id": None,
                    "status": status,
                    "received": self.to_the_hour(self.at(day)),
                    "bericht": filler(rng, MAILBOX_SENTENCES, rng.randint(80, 1200)),
                    "categorie": "" if rng.random() < 0.3 else PICK_CATEGORY(rng),
                    "confidant": None,
                    "code": receipts.generate() if i < codes else None,
                }
            )
        return specs

    def write_requests(self, specs: list[dict]) -> None:
        rng = self.rng
        verzoeken = []
        threads = []
        for spec in specs:
            info: OrgInfo = spec["org"]
            if spec["confidant"]:  # became a case: its confidant was chosen, or anyone
                gewenste = spec["confidant"] if rng.random() < 0.4 else None
            else:
                gewenste = rng.choice(info.confidants) if rng.random() < 0.35 else None
            responder = spec["confidant"] or gewenste or rng.choice(info.confidants)
            status = spec["status"]
            received: datetime = spec["received"]
            if status == VerzoekStatus.NIEUW:
                n = 1
            else:
                n = rng.randint(2, 4)
            # Messages: the employee first, then the confidant, alternating.
            thread, moment, answered = [], received, None
            for i in range(n):
                by_confidant = i % 2 == 1
                if i:
                    moment = moment + timedelta(hours=rng.randint(2, 72))
                    moment = min(moment, self.now)
                if by_confidant and answered is None:
                    answered = moment
                text = (
                    spec["bericht"]
                    if i == 0
                    else filler(rng, MAILBOX_SENTENCES, rng.randint(60, 700))
                )
                thread.append(
                    (
                        Afzender.VERTROUWENSPERSOON if by_confidant else Afzender.MELDER,
                        responder if by_confidant else None,
                        text,
                        moment if by_confidant else self.to_the_hour(moment),
                        i < n - 1 or status == VerzoekStatus.GESLOTEN or rng.random() < 0.5,
                    )
                )
            way = PICK_CONTACT(rng)
            code = spec["code"]
            verzoeken.append(
                Verzoek(
                    public_id=self.uuid(),
                    organisatie_id=info.org.pk,
                    gewenste_vertrouwenspersoon_id=gewenste,
                    categorie=spec["categorie"],
                    bericht=spec["bericht"],
                    contactwijze=way,
                    contactgegevens=contact(rng) if way != Contactwijze.POSTVAK else "",
                    voorkeurstijden=rng.choice(VOORKEUR),
                    code_hash=(
                        receipts.hash_code(receipts.normalise(code))
                        if code
                        else f"{rng.getrandbits(256):064x}"
                    ),
                    status=status,
                    ontvangen_op=received,
                    beantwoord_op=answered,
                    gesloten_op=(
                        min(moment + timedelta(days=rng.randint(1, 30)), self.now)
                        if status == VerzoekStatus.GESLOTEN
                        else None
                    ),
                    melding_id=spec["melding_id"],
                )
            )
            threads.append(thread)
        Verzoek.objects.bulk_create(verzoeken, batch_size=self.o.batch_size)
        berichten = [
            Bericht(
                verzoek_id=v.pk,
                afzender=afzender,
                auteur_id=auteur,
                tekst=tekst,
                verzonden_op=op,
                gelezen=gelezen,
            )
            for v, thread in zip(verzoeken, threads, strict=True)
            for afzender, auteur, tekst, op, gelezen in thread
        ]
        Bericht.objects.bulk_create(berichten, batch_size=self.o.batch_size)
        for spec, v in zip(specs, verzoeken, strict=True):
            if spec["code"]:
                self.codes.append(
                    {"code": spec["code"], "verzoek": str(v.public_id), "org": spec["org"].org.slug}
                )
        self.counts.update(verzoeken=len(verzoeken), berichten=len(berichten))

    # --- activities and signals --------------------------------------------------------------

    def activities_and_signals(self) -> None:
        rng = self.rng
        activiteiten, signalen = [], []
        first, last = self.start.toordinal(), self.today.toordinal()
        for info in self.orginfo:
            for year in range(self.start.year, self.today.year + 1):
                lo = max(first, date(year, 1, 1).toordinal())
                hi = min(last, date(year, 12, 31).toordinal())
                if lo > hi:
                    continue
                fraction = (hi - lo + 1) / 365
                for soort, n in ACTIVITIES:
                    for _ in range(round(n * fraction * rng.uniform(0.5, 1.5))):
                        day = rng.randint(lo, hi)
                        activiteiten.append(
                            Activiteit(
                                organisatie_id=info.org.pk,
                                datum=date.fromordinal(day),
                                soort=soort,
                                bereik=rng.randint(5, 120),
                                uren=Decimal(rng.choice(["0.5", "1", "1.5", "2", "3", "4"])),
                                omschrijving=ACTIVITY_TEXT[soort],
                                vastgelegd_door_id=rng.choice(info.confidants),
                                vastgelegd_op=self.at(day),
                            )
                        )
                for _ in range(round(rng.randint(2, 6) * fraction)):
                    day = rng.randint(lo, hi)
                    signalen.append(
                        Signaal(
                            organisatie_id=info.org.pk,
                            datum=date.fromordinal(day),
                            thema=PICK_THEME(rng),
                            gericht_aan=rng.choice(GerichtAan.values),
                            gevraagd=rng.random() < 0.3,
                            tekst=filler(rng, SIGNAL_SENTENCES, rng.randint(150, 1200)),
                            in_jaarverslag=rng.random() < 0.5,
                            vastgelegd_door_id=rng.choice(info.confidants),
                            vastgelegd_op=self.at(day),
                        )
                    )
        Activiteit.objects.bulk_create(activiteiten, batch_size=5000)
        Signaal.objects.bulk_create(signalen, batch_size=5000)
        self.counts.update(activiteiten=len(activiteiten), signalen=len(signalen))

    # --- the run -----------------------------------------------------------------------------

    def run(self) -> dict:
        o = self.o
        if o.orgs < 1 or o.cases < 1 or o.confidants_per_org < 1:
            raise ValueError("--orgs, --cases and --confidants-per-org must be at least 1.")
        on_postgres = connection.vendor == "postgresql"
        # Several processes only on PostgreSQL and outside a transaction (not in tests): they
        # must see the committed accounts, and each writes with its own connection.
        parallel = on_postgres and not connection.in_atomic_block and o.workers > 1
        if on_postgres and not connection.in_atomic_block:
            _fast_commits()
        with transaction.atomic():
            self.make_accounts()
        self.plan_rows = self.plan()
        self.log(f"{self.elapsed()} accounts and plan ready: {len(self.plan_rows)} cases")
        totals = self.counts
        self.codes: list[dict] = []
        self.special: dict | None = None
        n_chunks = math.ceil(len(self.plan_rows) / o.chunk)

        def collect(result: dict) -> None:
            totals.update(result["counts"])
            self.special = self.special or result["special"]
            self.log(
                f"{self.elapsed()} {totals['meldingen']:>8} cases, "
                f"{totals['gesprekken']:>8} conversations"
            )

        if parallel:
            global _WORKER
            _WORKER = self
            connections.close_all()  # the forked workers open their own
            context = multiprocessing.get_context("fork")
            with context.Pool(o.workers, initializer=_fast_commits) as pool:
                for result in pool.imap_unordered(_write_chunk_in_worker, range(n_chunks)):
                    collect(result)
            _WORKER = None
            _fast_commits()
        else:
            for index in range(n_chunks):
                with transaction.atomic():
                    collect(self.write_chunk(index))
        self.counts = totals
        self.rng = random.Random(o.seed - 1)
        with transaction.atomic():
            wanted = round(o.cases * 0.05)  # anonymous requests: about 5 % of the cases
            unlinked = max(wanted - totals["verzoeken"], o.mailbox_codes)
            self.write_requests(self.unlinked_requests(unlinked, o.mailbox_codes))
            self.activities_and_signals()
        self.log(f"{self.elapsed()} requests, activities and signals written")
        if on_postgres:
            self.analyze(vacuum=o.vacuum and not connection.in_atomic_block)
        return self.summary()

    def analyze(self, *, vacuum: bool) -> None:
        tables = [
            m._meta.db_table
            for m in (
                Melding,
                MeldingCategorie,
                Gesprek,
                GesprekInterventie,
                Gebeurtenis,
                Toegang,
                Verzoek,
                Bericht,
                Activiteit,
                Signaal,
                Organisatie,
                User,
                Lidmaatschap,
                TOTPDevice,
            )
        ]
        verb = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"{verb} {connection.ops.quote_name(table)}")
        self.log(f"{self.elapsed()} {verb.lower()} done")

    def summary(self) -> dict:
        info0 = self.orginfo[0]
        big_user = self.users_by_pk[info0.confidants[0]]
        many = max(self.orginfo, key=lambda i: i.cases)
        special = self.special
        hr = next(h for h in self.accounts["hr"] if h["org"] == many.org.slug)
        big_login = next(c for c in self.accounts["confidants"] if c["email"] == big_user.email)
        data = {
            "generated_at": timezone.now().isoformat(),
            "seed": self.o.seed,
            "orgs": self.o.orgs,
            "cases": self.o.cases,
            "password": self.accounts["password"],
            "admin": self.accounts["admin"],
            "confidants": self.accounts["confidants"],
            # The HR account of the busiest organisation; every HR account in hr_accounts.
            "hr": hr,
            "hr_accounts": self.accounts["hr"],
            "big_confidant": {
                **big_login,
                "org": info0.org.slug,
                "cases": self.counts["big_confidant_cases"],
            },
            "case_50": special["public_id"] if special else None,
            "case_50_conversations": (
                {**special, "org": info0.org.slug, "confidant": big_user.email} if special else None
            ),
            "org_with_many_cases": {"slug": many.org.slug, "cases": many.cases},
            "public_org": many.org.slug,
            # An annual report over a whole year of the busiest organisation.
            "report_org": many.org.slug,
            "report_year": self.today.year - 1,
            "org_cases": {i.org.slug: i.cases for i in self.orginfo},
            "mailbox_codes": [c["code"] for c in self.codes],
            "mailbox": self.codes,
            "counts": dict(sorted(self.counts.items())),
            "seconds": round(time.perf_counter() - self.t0, 1),
        }
        path = Path(self.o.codes_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        path.chmod(0o600)
        return data


_WORKER: Generator | None = None


def _fast_commits() -> None:
    """Only this session: a crash may lose the last commits, never consistency."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


def _write_chunk_in_worker(index: int) -> dict:
    with transaction.atomic():
        return _WORKER.write_chunk(index)


def run(options: Options, log=print) -> dict:
    return Generator(options, log=log).run()
