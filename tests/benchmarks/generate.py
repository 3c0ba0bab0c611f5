"""Seeded generator of a realistic crm data directory, for the benchmark (GUIDE.md §7).

    python tests/benchmarks/generate.py DIR --records N [--seed 7]

Writes crm.yaml, .gitignore and N record files in the mix the issue asks for: 10%
parties (80% customers, 20% suppliers), 60% interactions, 25% orders (80% sales, 20%
purchases), 5% products; half of the parties Chinese, half American (Faker zh_CN and
en_US). Files follow examples/demo and GUIDE.md §2 key for key, so crm is timed on files
that look like a user's. The same seed gives the same files (for one Faker version).

Planted for the searches of bench.py: `zanzibar` (one interaction body) and `quokka`
(one customer's notes) occur exactly once each, `price` and `quote` occur in many
English interactions, and at least 20 contacts are named 张伟.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import random
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from faker import Faker
from pypinyin import lazy_pinyin
from stdnum.cn import uscc
from stdnum.us import ein

from crmcli.model.orders import totals as order_totals

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vocabulary as V  # noqa: E402
from yamlout import Flow, Quoted, dump  # noqa: E402

TODAY = date(2026, 11, 22)
START = datetime(2016, 1, 1, 9, 0)
NOW = datetime(2026, 11, 22, 18, 0)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CENT = Decimal("0.01")
RARE_IN_INTERACTION = "zanzibar"  # in the body of exactly one interaction
RARE_IN_NOTES = "quokka"  # in the notes of exactly one customer
ZHANG_WEI = "张伟"
CATEGORY_ZH = {kind[1]: kind[2] for kind in V.PRODUCT_TYPES}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

CRM_YAML = """\
# Settings of a benchmark data directory (tests/benchmarks/generate.py, seed {seed}).
business:
  name: Brightline Trading 明线贸易
currency: CNY
me: li
timezone: Asia/Shanghai
locale: en
follow_up_every: 30d
git:
  autocommit: false
"""


@dataclass
class Mix:
    """How many records of each kind make N."""

    customers: int
    suppliers: int
    interactions: int
    sales: int
    purchases: int
    products: int

    @classmethod
    def of(cls, n: int) -> Mix:
        parties = round(n * 0.10)
        customers = round(parties * 0.8)
        orders = round(n * 0.25)
        sales = round(orders * 0.8)
        interactions = round(n * 0.60)
        return cls(customers, parties - customers, interactions, sales, orders - sales,
                   n - parties - interactions - orders)


@dataclass
class Party:
    """A generated party, kept in memory so later records can refer to it coherently."""

    folder: str
    record: dict
    chinese: bool
    contacts: list = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.folder}/{self.record['id']}"

    @property
    def created(self) -> datetime:
        return self.record["created"]


EIN_PREFIXES = [f"{n:02d}" for n in range(100) if ein.is_valid(f"{n:02d}-0000000")]
"""The first two digits of an EIN that the IRS gives out (python-stdnum's table of campuses)."""


def with_check_character(code: str) -> str:
    """The first 17 characters of a 统一社会信用代码 and the check character they call for."""
    return code + uscc.calc_check_digit(code)


def ascii_slug(text: str) -> str:
    """Lower-case ascii words joined by dashes, accents folded: `José Álvarez` → `jose-alvarez`."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def pinyin(text: str) -> str:
    """Chinese as joined pinyin (张伟 → zhangwei); anything else passes through ascii_slug."""
    return ascii_slug("".join(lazy_pinyin(text)))


class Generator:
    """Makes records one at a time from one seeded random source and two seeded Fakers."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.zh = Faker("zh_CN")
        self.en = Faker("en_US")
        self.zh.seed_instance(seed)
        self.en.seed_instance(seed + 1)
        self.taken: set[str] = set()  # ids, party names and phone/tax keys, all unique
        self.products: list[dict] = []

    # -- shared helpers -------------------------------------------------------

    def unique(self, make, limit: int = 50, key=lambda value: value) -> str:
        """The first value of make() whose key was not seen before (the last try after `limit`)."""
        for _ in range(limit):
            value = make()
            if key(value) not in self.taken:
                break
        self.taken.add(key(value))
        return value

    def unique_slug(self, base: str) -> str:
        """`base`, or `base-2`, `base-3`… as crm does when a slug is taken."""
        candidate = base
        for counter in itertools.count(2):
            if candidate not in self.taken:
                break
            candidate = f"{base}-{counter}"
        self.taken.add(candidate)
        return candidate

    def random_id(self, prefix: str, day: date) -> str:
        """`PREFIX-YYYYMMDD-XXXX` with four Crockford base32 characters, unique."""
        return self.unique(lambda: f"{prefix}-{day:%Y%m%d}-" + "".join(self.rng.choices(CROCKFORD, k=4)))

    def moment_between(self, start: datetime, end: datetime, skew: float = 1.0) -> datetime:
        """A moment in office hours between start and end; skew < 1 favours recent ones."""
        span = max((end - start).total_seconds(), 0)
        moment = start + timedelta(seconds=span * self.rng.random() ** skew)
        moment = moment.replace(hour=self.rng.randint(8, 19), minute=self.rng.choice((0, 15, 30, 45)), second=0)
        return min(max(moment, start), end)

    def later(self, moment: datetime, max_minutes: int) -> datetime:
        """A moment a little after `moment` (when the record was typed in), never after NOW."""
        return min(moment + timedelta(minutes=self.rng.randint(2, max_minutes), seconds=self.rng.randint(0, 59)), NOW)

    def digits(self, count: int) -> str:
        return "".join(self.rng.choices("0123456789", k=count))

    # -- parties --------------------------------------------------------------

    def phone(self, chinese: bool, city: tuple | None, mobile: bool) -> Quoted:
        """A phone number unique by its last nine digits (crm check compares those)."""
        def make():
            if not chinese:
                return f"+1 {self.rng.randint(201, 989)} 555 {self.digits(4)}"
            if mobile or city is None:
                return f"+86 {self.rng.choice(V.MOBILE_PREFIXES)} {self.digits(4)} {self.digits(4)}"
            return f"+86 {city[2]} {self.rng.randint(2, 8)}{self.digits(3)} {self.digits(4)}"
        return Quoted(self.unique(make, key=lambda number: "phone " + re.sub(r"\D", "", number)[-9:]))

    def company_name(self, chinese: bool, industry: str, city: tuple | None) -> tuple[str, str]:
        """(name, slug base): 深圳市华强电子有限公司 → huaqiang-dianzi; Gould Electronics Inc. → gould-electronics."""
        trade_zh, trade_en, _ = V.INDUSTRIES[industry]
        if chinese:
            def make():
                brand = (self.zh.company_prefix() if self.rng.random() < 0.4
                         else "".join(self.rng.sample(V.BRAND_CHARS, 2)))
                return f"{brand}|{trade_zh}"
            brand, trade = self.unique(make).split("|")
            return f"{city[0]}市{brand}{trade}有限公司", f"{pinyin(brand)}-{pinyin(trade)}"

        def make_en():
            if self.rng.random() < 0.5:
                return f"{self.en.last_name()} {trade_en}"
            return self.en.company().replace(" Inc", "").replace(" LLC", "").replace(" PLC", "").replace(" Ltd", "")
        core = self.unique(make_en)
        return f"{core} {self.rng.choice(V.EN_LEGAL)}", ascii_slug(core)

    def person_name(self, chinese: bool) -> tuple[str, str]:
        """(name, slug base) of a person who is a customer: 王晓明 → wangxiaoming."""
        name = self.unique(self.zh.name if chinese else self.en.name, limit=10)
        return name, pinyin(name) if chinese else ascii_slug(name)

    def contact(self, chinese: bool, domain: str, name: str | None = None, primary: bool = False) -> dict:
        """A contact with the fields of the examples, some optional ones left out at random."""
        rng = self.rng
        name = name or (self.zh.name() if chinese else self.en.name())
        handle = pinyin(name).replace("-", "") if chinese else ascii_slug(name).replace("-", ".")
        birthday = None
        if rng.random() < 0.15:
            born = date(rng.randint(1960, 1998), rng.randint(1, 12), rng.randint(1, 28))
            birthday = born if chinese or rng.random() < 0.5 else Quoted(f"{born:%m-%d}")
        notes = rng.choice(V.ZH_CONTACT_NOTES if chinese else V.EN_CONTACT_NOTES) if rng.random() < 0.1 else None
        return {
            "name": name,
            "title": rng.choice(V.ZH_TITLES if chinese else V.EN_TITLES),
            "phones": [self.phone(chinese, None, mobile=True)],
            "emails": [f"{handle}@{domain}"],
            "wechat": f"{handle}_{rng.randint(1, 99)}" if chinese and rng.random() < 0.6 else None,
            "birthday": birthday,
            "notes": notes,
            "primary": True if primary else None,
        }

    def address(self, chinese: bool, city: tuple | None) -> dict:
        if chinese:
            street = f"{self.zh.district()}区{self.zh.street_name()}{self.rng.randint(1, 399)}号"
            return {"label": self.rng.choice(["office", "factory", "warehouse"]), "street": street,
                    "city": city[0], "postcode": Quoted(city[3] + self.digits(3)), "country": "CN"}
        return {"label": self.rng.choice(["office", "warehouse"]), "street": self.en.street_address(),
                "city": self.en.city(), "postcode": Quoted(self.en.zipcode()), "country": "US"}

    def party(self, folder: str) -> Party:
        """One customer or supplier, in the key order of examples/demo/customers/*.yaml."""
        rng = self.rng
        chinese = rng.random() < 0.5
        person = folder == "customers" and rng.random() < 0.15
        industries = list(V.INDUSTRIES)
        industry = rng.choices(industries, weights=[V.INDUSTRIES[i][2] for i in industries])[0]
        city = rng.choice(V.ZH_CITIES) if chinese else None
        name, base = self.person_name(chinese) if person else self.company_name(chinese, industry, city)
        slug = self.unique_slug(base or "party")
        domain = f"{slug}.example" if not person else rng.choice(["mail.example", "post.example"])
        tags = rng.sample(V.PARTY_TAGS_ZH if chinese else V.PARTY_TAGS_EN, rng.choice((0, 1, 1, 2)))
        if folder == "customers" and rng.random() < 0.05:
            tags.insert(0, "vip")
        created = self.moment_between(START, datetime(2026, 11, 1, 18, 0), skew=0.8)
        contacts = [] if person else [self.contact(chinese, domain, primary=i == 0)
                                      for i in range(rng.choice((1, 1, 2, 2, 3)))]
        notes_pool = V.ZH_PARTY_NOTES if chinese else V.EN_PARTY_NOTES
        record = {
            "id": slug,
            "name": name,
            "entity": "person" if person else "company",
            "lifecycle": rng.choices(["customer", "prospect", "lead", "inactive"], [70, 10, 10, 10])[0]
            if folder == "customers" else None,
            "industry": industry,
            "tags": tags or None,
            "owner": rng.choice(V.OWNERS_ZH if chinese else V.OWNERS_EN),
            "region": city[1] if chinese else "North America",
            "addresses": [self.address(chinese, city)] if not person or rng.random() < 0.6 else None,
            "phones": [self.phone(chinese, city, mobile=person)],
            "emails": [f"{slug}@{domain}" if person else f"{rng.choice(['sales', 'purchasing', 'info'])}@{domain}"],
            "website": None if person or rng.random() < 0.2 else f"https://{domain}",
            "tax_id": None if person or rng.random() < 0.25 else self.tax_id(chinese),
            "payment_terms": rng.choice(V.PAYMENT_TERMS) if rng.random() < 0.8 else None,
            "follow_up_every": rng.choice(V.FOLLOW_UP) if rng.random() < 0.5 else None,
            "contacts": contacts or None,
            "notes": "\n".join(rng.sample(notes_pool, rng.randint(1, 2))) + "\n" if rng.random() < 0.5 else None,
            "created": created,
            "updated": self.later(created, 60 * 24 * 20),
        }
        return Party(folder, record, chinese, contacts)

    def tax_id(self, chinese: bool) -> str:
        """A tax id crm's check accepts (crmcli/model/taxids.py): a 统一社会信用代码 ending in its
        check character, or an EIN whose first two digits name an IRS campus."""
        if chinese:
            return self.unique(lambda: with_check_character(
                "91" + self.rng.choice(["4403", "4419", "3102", "3205", "3302", "1101"]) + "00MA"
                + "".join(self.rng.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=7))))
        return self.unique(lambda: f"{EIN_PREFIXES[int(self.digits(2)) % len(EIN_PREFIXES)]}-{self.digits(7)}")

    def plant_zhang_wei(self, parties: list[Party]) -> None:
        """Give a contact named 张伟 to at least 20 Chinese companies (1 in 50 when there are many)."""
        companies = [p for p in parties if p.chinese and p.contacts]
        wanted = min(len(companies), max(20, len(companies) // 50))
        for party in self.rng.sample(companies, wanted):
            if any(c["name"] == ZHANG_WEI for c in party.contacts):
                continue
            last = party.contacts[-1]
            domain = last["emails"][0].split("@", 1)[1]
            party.contacts[-1] = self.contact(True, domain, ZHANG_WEI, primary=bool(last.get("primary")))
            party.record["contacts"] = party.contacts

    # -- products, interactions, orders ------------------------------------------

    def product(self, suppliers: list[Party], counters: dict) -> dict:
        """A catalog entry products/<sku>.yaml; orders pick their lines from these."""
        rng = self.rng
        prefix, category, category_zh, unit, template, sizes, (low, high) = rng.choice(V.PRODUCT_TYPES)
        counters[prefix] = counters.get(prefix, 0) + 1
        created = self.moment_between(START, datetime(2026, 6, 1, 18, 0))
        record = {
            "id": f"{prefix}-{counters[prefix]:04d}",
            "name": template.format(n=rng.choice(sizes)),
            "unit": unit,
            "price": Decimal(str(rng.uniform(low, high))).quantize(CENT),
            "currency": "CNY",
            "tax_rate": Decimal("0.13"),
            "category": category,
            "supplier": rng.choice(suppliers).ref,
            "tags": [category_zh],
            "created": created,
            "updated": self.later(created, 60 * 24 * 90),
        }
        self.products.append(record)
        return record

    def fillers(self, party: Party, chinese: bool) -> dict:
        """Values for the {placeholders} of the text templates, in the language of the text."""
        rng = self.rng
        product = rng.choice(self.products)
        contact = rng.choice(party.contacts)["name"] if party.contacts else party.record["name"]
        month = rng.randint(1, 12)
        return {
            "product": CATEGORY_ZH[product["category"]] if chinese else product["name"],
            "sku": product["id"], "qty": rng.choice((50, 100, 200, 500, 1000, 5000)),
            "month": month if chinese else MONTHS[month - 1], "year": rng.randint(2017, 2027),
            "pct": rng.choice((2, 3, 4, 5, 8, 10, 15, 20)), "days": rng.randint(3, 20),
            "price": f"{rng.uniform(1, 900):.2f}", "inv": f"INV-{rng.randint(10000, 99999)}", "contact": contact,
        }

    def interaction(self, party: Party, rare_word: str | None) -> dict:
        """One interaction, keys as in examples/demo/interactions; a next step on about a third."""
        rng = self.rng
        recent = rng.random() < 0.04  # so that the agenda of TODAY has something in it
        at = self.moment_between(max(party.created, NOW - timedelta(days=30)) if recent else party.created, NOW,
                                 skew=0.6)
        chinese = party.chinese and rng.random() < 0.85
        fill = self.fillers(party, chinese)
        summary, tag = rng.choice(V.ZH_SUMMARIES if chinese else V.EN_SUMMARIES)
        body = None
        if rng.random() < 0.75 or rare_word:
            pool = V.ZH_BODIES if chinese else V.EN_BODIES
            lines = [line.format(**fill) for line in rng.sample(pool, rng.randint(1, 3))]
            if rare_word:
                lines.append(f"Ask whether the {rare_word} consignee can take part shipments.")
            body = "\n".join(lines) + "\n"
        kind = rng.choices(list(V.INTERACTION_TYPES), weights=list(V.INTERACTION_TYPES.values()))[0]
        created = self.later(at, 90)
        tags = [tag] + (["urgent"] if rng.random() < 0.05 else [])
        next_step = self.next_step(at, chinese, fill) if rng.random() < 1 / 3 else None
        done = next_step.get("done") if next_step else None
        return {
            "id": self.random_id("IN", at.date()),
            "party": party.ref,
            "contact": rng.choice(party.contacts)["name"] if party.contacts and rng.random() < 0.9 else None,
            "type": kind,
            "direction": None if kind == "note" else rng.choice(("in", "out")),
            "at": at,
            "summary": summary.format(**fill),
            "body": body,
            "outcome": rng.choices(("positive", "neutral", "negative"), (45, 38, 17))[0]
            if rng.random() < 0.88 else None,
            "tags": tags if rng.random() < 0.96 else None,
            "next": next_step,
            "created": created,
            "updated": self.later(done, 5) if done and done > created else created,
        }

    def next_step(self, at: datetime, chinese: bool, fill: dict) -> dict:
        """A next step due 1–21 days after the contact; old ones are mostly done, recent ones open."""
        due = at.date() + timedelta(days=self.rng.randint(1, 21))
        age = (TODAY - due).days
        chance_done = 0.98 if age > 14 else 0.6 if age > 0 else 0.1
        done = None
        if self.rng.random() < chance_done:
            end = min(datetime.combine(due, at.time()) + timedelta(days=1), NOW)
            done = self.moment_between(at, end)
        return {"action": self.rng.choice(V.ZH_NEXT if chinese else V.EN_NEXT).format(**fill), "due": due, "done": done}

    def order(self, kind: str, party: Party) -> dict:
        """A sales (SO-) or purchase (PO-) order as in GUIDE.md §2, totals computed in Decimal."""
        rng = self.rng
        recent = rng.random() < 0.04
        placed = self.moment_between(max(party.created, NOW - timedelta(days=30)) if recent else party.created, NOW,
                                     skew=0.6)
        currency = "CNY" if party.chinese else "USD"
        tax_rate = Decimal("0.13") if currency == "CNY" else Decimal("0.00")
        exchange = Decimal(1) if currency == "CNY" else Decimal("0.14")  # the catalog is in CNY
        special = rng.random() < 0.05  # samples and one-offs, which do not count toward targets
        lines = []
        for product in rng.sample(self.products, min(len(self.products), rng.choice((1, 1, 2, 3, 4)))):
            quantity = rng.choice((1, 2, 5, 10)) if special else rng.choice((10, 20, 40, 50, 100, 200, 500, 1000))
            factor = exchange * Decimal(str(rng.uniform(0.6, 0.8) if kind == "purchase" else rng.uniform(0.95, 1.15)))
            unit_price = (product["price"] * factor).quantize(CENT)
            discount = rng.choice((Decimal("0.00"), Decimal("0.00"), Decimal("0.03"), Decimal("0.05")))
            lines.append({"sku": product["id"], "description": product["name"], "quantity": quantity,
                          "unit_price": unit_price, "discount": discount, "tax_rate": tax_rate})
        totals = order_totals(lines, currency)
        delivery_due = placed.date() + timedelta(days=rng.randint(7, 30))
        history = self.order_history(placed, delivery_due, party.record["owner"])
        return {
            "id": self.random_id("SO" if kind == "sale" else "PO", placed.date()),
            "kind": kind,
            "party": party.ref,
            "owner": party.record["owner"],
            "region": party.record["region"],
            "date": placed.date(),
            "currency": currency,
            "type": "special" if special else "standard",
            "counts_toward_target": (not special) if kind == "sale" else None,
            "lines": lines,
            "totals": Flow(net=totals["net"], tax=totals["tax"], gross=totals["gross"]),
            "status": history[-1]["status"],
            "history": history,
            "delivery_due": delivery_due,
            "payment_due": delivery_due + timedelta(days=30),
            "payments": self.payments(history, delivery_due + timedelta(days=30), totals["gross"]),
            "created": history[0]["at"],
            "updated": history[-1]["at"],
        }

    def payments(self, history: list[Flow], payment_due: date, gross: Decimal) -> list[Flow]:
        """Delivered orders are paid around their due date, nearly all in full; a few stay owed."""
        rng = self.rng
        if history[-1]["status"] != "delivered" or rng.random() < 0.03:
            return []
        day = payment_due + timedelta(days=rng.randint(-20, 15))
        if day > TODAY:
            return []
        if rng.random() < 0.1:
            first = (gross * Decimal("0.3")).quantize(CENT)
            second = payment_due + timedelta(days=rng.randint(20, 60))
            rest = [Flow(date=second, amount=gross - first)] if second <= TODAY else []
            return [Flow(date=day, amount=first)] + rest
        return [Flow(date=day, amount=gross)]

    def order_history(self, placed: datetime, delivery_due: date, owner: str) -> list[Flow]:
        """draft → confirmed → shipped (near the due date) → delivered, or cancelled; none after NOW."""
        rng = self.rng
        shipped = datetime.combine(delivery_due, placed.time()) - timedelta(days=rng.randint(-3, 5))
        times = {"draft": placed, "confirmed": placed + timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 5)),
                 "shipped": shipped, "delivered": shipped + timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 5))}
        steps = ["draft", "confirmed", "shipped", "delivered"]
        if rng.random() < 0.06:
            steps = ["draft", "confirmed", "cancelled"] if rng.random() < 0.5 else ["draft", "cancelled"]
            times["cancelled"] = placed + timedelta(days=rng.randint(1, 20))
        history = []
        settled = placed < NOW - timedelta(days=60)  # old orders have run their course; recent ones may be under way
        for status in steps if settled else steps[:rng.choices((1, 2, 3, len(steps)), (2, 4, 4, 90))[0]]:
            moment = max(times[status], history[-1]["at"] + timedelta(minutes=30)) if history else times[status]
            if moment > NOW:
                break
            step = Flow(at=moment, status=status, by=owner)
            if status == "confirmed" and rng.random() < 0.2:
                step["note"] = "approved"
            history.append(step)
        return history


class Writer:
    """Writes record files under the data directory as they are made (nothing piles up in
    memory but the parties), creating each folder once. Each file lands whole (written
    aside, then renamed), so an interrupted run is resumed by running again: the same seed
    makes the same records, and a file already there is not written again."""

    def __init__(self, root: Path):
        self.root = root
        self.folders: set[Path] = set()
        self.count = 0

    def write(self, relative: str, record: dict) -> None:
        path = self.root / relative
        self.count += 1
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        if path.exists():
            return
        aside = path.with_name(f".{path.name}.part")
        with open(aside, "w", encoding="utf-8") as handle:
            handle.write(dump(record))
        os.replace(aside, path)


def weighted_picker(rng: random.Random, parties: list[Party]):
    """A function picking parties unevenly: a few key accounts get many records, most get few."""
    cumulative = list(itertools.accumulate(rng.paretovariate(1.5) for _ in parties))
    total = cumulative[-1]
    return lambda: parties[bisect.bisect_left(cumulative, rng.random() * total)]


def generate(root: Path, records: int, seed: int = 7) -> Mix:
    """Write a complete data directory of `records` records under `root` (or complete the one an
    interrupted run of the same size and seed left there)."""
    mix = Mix.of(records)
    gen = Generator(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "crm.yaml").write_text(CRM_YAML.format(seed=seed), encoding="utf-8")
    (root / ".gitignore").write_text(".crm/\n", encoding="utf-8")
    out = Writer(root)

    customers = [gen.party("customers") for _ in range(mix.customers)]
    suppliers = [gen.party("suppliers") for _ in range(mix.suppliers)]
    gen.plant_zhang_wei(customers + suppliers)
    mascot = gen.rng.choice(customers).record
    mascot["notes"] = (mascot["notes"] or "") + f"Their mascot is a {RARE_IN_NOTES}; they love the sticker.\n"
    for party in customers + suppliers:
        out.write(f"{party.ref}.yaml", party.record)

    counters: dict[str, int] = {}
    for _ in range(mix.products):
        product = gen.product(suppliers, counters)
        out.write(f"products/{product['id']}.yaml", product)

    any_party = weighted_picker(gen.rng, customers * 2 + suppliers)
    rare = gen.rng.randrange(mix.interactions)
    for number in range(mix.interactions):
        record = gen.interaction(any_party(), RARE_IN_INTERACTION if number == rare else None)
        out.write(f"interactions/{record['at']:%Y/%m}/{record['id']}.yaml", record)

    customer, supplier = weighted_picker(gen.rng, customers), weighted_picker(gen.rng, suppliers)
    for kind, count, pick in (("sale", mix.sales, customer), ("purchase", mix.purchases, supplier)):
        for _ in range(count):
            record = gen.order(kind, pick())
            out.write(f"orders/{record['date']:%Y}/{record['id']}.yaml", record)
    assert out.count == records, (out.count, records)
    return mix


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="the data directory to create (missing, empty, or left by --resume)")
    parser.add_argument("--records", "-n", type=int, required=True, help="how many record files (at least 100)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--resume", action="store_true",
                        help="complete a directory an interrupted run (same size and seed) left behind")
    args = parser.parse_args(argv)
    if args.records < 100:
        parser.error("--records must be at least 100, so that every kind gets some")
    if args.dir.exists() and any(args.dir.iterdir()) and not args.resume:
        parser.error(f"{args.dir} is not empty")
    started = time.perf_counter()
    mix = generate(args.dir, args.records, args.seed)
    print(f"wrote {args.records} records to {args.dir} in {time.perf_counter() - started:.1f} s: {mix}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
