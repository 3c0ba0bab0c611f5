"""`crm remind due` (the cron job) and `crm remind export`: what is due, delivered on the
channel asked for (mail, iCalendar, the screen), and the news meant to go out once noted
as sent only after it went out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from crmcli.model.views import Document
from crmcli.reminders.items import Item
from crmcli.reports.reminders import calendar_items, due_digest
from crmcli.store.sent import note_sent


class Digest(NamedTuple):
    """What `remind due` found and how it went out. A named tuple, not a frozen dataclass:
    the cron job defines it at start-up, at a fraction of the cost."""

    items: list[Item]
    view: Document
    """The digest as a view, in buckets (overdue, today, coming up), titled for a mail's subject."""
    ics: bytes | None = None
    """The digest as an iCalendar file, when that is the channel."""
    mailed_to: Sequence[str] = ()
    """The addresses it was mailed to, when that is the channel."""


def calendar_of(repo, items: list[Item], records: dict[str, dict]) -> bytes:
    """`items` as an iCalendar file; `records` are the explicit reminders' data (by ref)."""
    # lazy: the calendar writer and its recurrence rules (dateutil.rrule) load in about 10 ms;
    # `remind due` on the screen, the cron job's usual run, does without them
    from crmcli.reminders.calendar import calendar

    return calendar(items, records, repo.index.party_names(), repo.clock, repo.config.business_name)


def remind_due(repo, within: str | None = None, owner: str | None = None, *, mail_to: Sequence[str] = (),
               ics: bool = False, text_of: Callable[[Document, str], str],
               show: Callable[[Digest], None]) -> Digest:
    """What is due (and overdue) by the end of `within`, delivered: mailed to `mail_to` (as
    plain text and HTML, made by `text_of(view, format)`), or handed to `show` (the face
    prints it, or writes its `ics`). Then what was meant to go out once (a target behind plan)
    is noted as sent, after delivery only: a mail that failed is sent by the next run. Nothing
    due: nothing is delivered."""
    items, view = due_digest(repo, within, owner)
    if not items:
        return Digest(items, view)
    if mail_to:
        # lazy: smtplib and ssl load in about 20 ms; only a digest that is mailed needs them
        from crmcli.reminders.mail import mail_settings, send

        send(mail_settings(repo), list(mail_to), view.title, text_of(view, "plain"), text_of(view, "html"))
        digest = Digest(items, view, mailed_to=list(mail_to))
    else:
        all_reminders = {r.ref: r.data for r in repo.records("reminder")} if ics else {}
        digest = Digest(items, view, ics=calendar_of(repo, items, all_reminders) if ics else None)
        show(digest)
    today = repo.clock.today().isoformat()
    note_sent(repo, {item.once: today for item in items if item.once})
    return digest


def reminders_calendar(repo, owner: str | None = None) -> tuple[int, bytes]:
    """`remind export`: every reminder and dated event of the coming year as an iCalendar
    file (its entries' count, its bytes)."""
    items, records = calendar_items(repo, owner)
    return len(items), calendar_of(repo, items, records)
