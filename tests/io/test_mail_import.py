"""`crm mail import` and `crm mail log` on real Maildir and mbox folders (built with the
standard library's `mailbox`) holding mail as real clients write it."""

import mailbox

import pytest

from crmcli.io.mailmessage import parse_mail
from mails import BJORN, HUAQIANG, big5, malformed, outlook_gbk, reply, thunderbird, with_attachments


def maildir(tmp_path, *messages: bytes, name: str = "Mail"):
    box = mailbox.Maildir(tmp_path / name, create=True)
    for message in messages:
        box.add(message)
    box.close()
    return tmp_path / name


def interactions_by_message(data):
    found = {}
    for path in data.files("interactions"):
        record = data.read(path.relative_to(data.root).as_posix())
        if "message_id" in record:
            found.setdefault(record["message_id"], []).append(record)
    return found


def test_a_maildir_becomes_interactions_and_a_second_import_does_nothing(mine, tmp_path):
    folder = maildir(tmp_path, thunderbird("<t1@angstrom>", "Samples"), outlook_gbk("<o1@huaqiang>"),
                     big5("<b1@pacrim>", "Kevin Lau <kevin.lau@pacrim-logistics.example>"),
                     reply("<r1@brightline>", "<t1@angstrom>", "<t1@angstrom>"),
                     thunderbird("<s1@spam>", "Cheap pills", sender="deals@unknown-shop.example"),
                     thunderbird("<s2@spam>", "Cheap pills again", sender="deals@unknown-shop.example"),
                     malformed())
    result = mine("--format", "json", "mail", "import", folder)
    assert result.code == 0, result.err
    summary = result.json()
    assert (summary["read"], len(summary["logged"]), summary["not_matched"]) == (7, 4, 2)
    assert summary["unknown_senders"] == [{"address": "deals@unknown-shop.example", "name": "Björn Lindqvist",
                                           "count": 2}]
    assert len(summary["refused"]) == 1 and "no sender address" in summary["refused"][0]["reason"]
    assert result.err.count("refused") == 1
    logged = interactions_by_message(mine)
    incoming = logged["<t1@angstrom>"][0]
    assert incoming["party"] == "customers/angstrom-components" and incoming["contact"] == "Björn Lindqvist"
    assert (incoming["type"], incoming["direction"]) == ("email", "in")
    assert incoming["at"] == "2026-11-20T16:30:00+01:00" and incoming["summary"] == "Samples"
    assert incoming["body"] == "Hello Li,\n\nthe samples left today.\n"
    gbk = logged["<o1@huaqiang>"][0]
    assert gbk["party"] == "customers/huaqiang-dianzi" and gbk["summary"] == "回复: 关于喆的报价"
    assert gbk["body"] == "王经理，您好：\n价格已确认，请 查收。\n\n- CAB-07 × 40\n"
    assert logged["<b1@pacrim>"][0]["summary"] == "樣品已收到"
    answer = logged["<r1@brightline>"][0]
    assert answer["direction"] == "out" and answer["party"] == "customers/angstrom-components"
    assert answer["body"] == "Thanks, received." and answer["thread"] == "<t1@angstrom>"

    again = mine("--format", "json", "mail", "import", folder)
    assert again.code == 0, again.err
    assert again.json()["logged"] == [] and again.json()["already_logged"] == 4
    assert sum(map(len, interactions_by_message(mine).values())) == 4


def test_an_mbox_dry_run_writes_nothing_and_shows_what_would_be_logged(mine, tmp_path):
    box = mailbox.mbox(tmp_path / "sent.mbox", create=True)
    box.add(reply("<r2@brightline>", "<x@huaqiang>", "<x@huaqiang>", to=HUAQIANG))
    box.close()
    before = mine.files("interactions")
    result = mine("mail", "import", tmp_path / "sent.mbox", "--dry-run")
    assert result.code == 0, result.err
    assert "dry run" in result.out and "huaqiang-dianzi" in result.out and "Re: Samples" in result.out
    assert mine.files("interactions") == before


def test_attachments_are_kept_under_safe_names_and_a_10_mb_message_is_read(mine, tmp_path):
    big = bytes(range(256)) * (10 * 1024 * 4)  # 10 MiB
    folder = maildir(tmp_path, with_attachments("<a1@angstrom>", {"../../etc/passwd": b"root:x:0:0",
                                                                   "报价单.pdf": b"%PDF-1.7", ".hidden": b"x",
                                                                   "big.bin": big}))
    result = mine("--format", "json", "mail", "import", folder, "--attachments")
    assert result.code == 0, result.err
    record = interactions_by_message(mine)["<a1@angstrom>"][0]
    names = sorted(entry["path"].rsplit("/", 1)[1] for entry in record["attachments"])
    assert names == ["big.bin", "hidden", "passwd", "报价单.pdf"]
    folder_of = mine.root / "attachments" / record["id"]
    assert sorted(p.name for p in folder_of.iterdir()) == names
    assert (folder_of / "big.bin").read_bytes() == big
    assert not (mine.root / "etc").exists()


def test_without_attachments_nothing_is_saved(mine, tmp_path):
    folder = maildir(tmp_path, with_attachments("<a2@angstrom>", {"quote.pdf": b"%PDF"}))
    assert mine("mail", "import", folder).code == 0
    record = interactions_by_message(mine)["<a2@angstrom>"][0]
    assert "attachments" not in record and not (mine.root / "attachments" / record["id"]).exists()


def test_by_domain_matches_any_address_at_a_partys_website(mine, tmp_path):
    folder = maildir(tmp_path, thunderbird("<d1@angstrom>", "New colleague", sender="new.person@angstrom-components.example"))
    assert mine("--format", "json", "mail", "import", folder).json()["not_matched"] == 1
    result = mine("--format", "json", "mail", "import", folder, "--by-domain")
    assert [row["party"] for row in result.json()["logged"]] == ["customers/angstrom-components"]
    assert "contact" not in interactions_by_message(mine)["<d1@angstrom>"][0]


def test_unknown_senders_become_leads_when_asked(mine, tmp_path):
    folder = maildir(tmp_path, thunderbird("<l1@nova>", "Inquiry", sender="anna.berg@nova-optics.example"),
                     thunderbird("<l2@nova>", "Inquiry 2", sender="per@nova-optics.example"),
                     thunderbird("<l3@gmail>", "Hi", sender="someone@gmail.com"))
    result = mine("--format", "json", "mail", "import", folder, "--create", "leads")
    assert result.code == 0, result.err
    assert result.json()["leads"] == ["customers/bjorn-lindqvist", "customers/nova-optics"]
    company = mine.read("customers/nova-optics.yaml")
    assert company["lifecycle"] == "lead" and company["website"] == "nova-optics.example"
    assert sorted(c["emails"][0] for c in company["contacts"]) == ["anna.berg@nova-optics.example",
                                                                   "per@nova-optics.example"]
    person = mine.read("customers/bjorn-lindqvist.yaml")  # at a free mail domain: a person
    assert person["entity"] == "person" and person["emails"] == ["someone@gmail.com"]
    assert len(result.json()["logged"]) == 3


def test_show_and_timeline_fold_an_email_thread_into_one_row(mine, tmp_path):
    folder = maildir(tmp_path, thunderbird("<t1@angstrom>", "Samples"),
                     reply("<r1@brightline>", "<t1@angstrom>", "<t1@angstrom>"),
                     thunderbird("<t2@angstrom>", "Re: Re: Samples", date="Sun, 22 Nov 2026 08:00:00 +0100",
                                 in_reply_to="<r1@brightline>"))
    assert mine("mail", "import", folder).code == 0
    assert {r["thread"] for rs in interactions_by_message(mine).values() for r in rs} == {"<t1@angstrom>"}
    timeline = mine("--format", "plain", "timeline", "angstrom-components", "--type", "email")
    assert timeline.code == 0, timeline.err
    assert "[3 emails in thread]" in timeline.out and timeline.out.count("Samples") == 1
    limited = mine("--format", "plain", "timeline", "angstrom-components", "--limit", "2").out
    assert "[3 emails in thread]" in limited and limited.count("IN-20") == 2  # a thread is one row of the limit
    shown = mine("--format", "plain", "show", "angstrom-components")
    assert "Re: Re: Samples [3 emails in thread]" in shown.out
    assert len(mine("show", "angstrom-components", "--format", "json").json()["interactions"]) >= 3


def test_mail_log_reads_one_message_from_the_mail_client(mine):
    message = thunderbird("<p1@angstrom>", "Piped from mutt").decode("ascii")
    first = mine("mail", "log", input=message)
    assert first.code == 0, first.err
    record = interactions_by_message(mine)["<p1@angstrom>"][0]
    assert first.out.strip() == record["id"]
    again = mine("mail", "log", input=message)
    assert again.code == 0 and again.out.strip() == record["id"] and "already logged" in again.err
    assert len(interactions_by_message(mine)["<p1@angstrom>"]) == 1


def test_mail_log_lists_the_candidates_when_an_address_is_ambiguous(mine):
    party = mine.root / "customers/huaqiang-dianzi.yaml"
    party.write_text(party.read_text(encoding="utf-8").replace("https://huaqiang.example",
                                                               "https://angstrom-components.example"), encoding="utf-8")
    before = mine.files("interactions")
    result = mine("mail", "log", "--by-domain",
                  input=thunderbird("<p2@angstrom>", "Who?", sender="x@angstrom-components.example").decode())
    assert result.code == 1
    assert "customers/angstrom-components" in result.err and "customers/huaqiang-dianzi" in result.err
    assert mine.files("interactions") == before


def test_mail_log_of_an_unknown_sender_writes_nothing(mine):
    result = mine("mail", "log", input=thunderbird("<p3@x>", "Hi", sender="nobody@nowhere.example").decode())
    assert result.code == 1 and "nobody@nowhere.example" in result.err
    assert result.err.count("\n") == 1


def test_a_source_that_is_not_mail_is_one_line(mine, tmp_path):
    (tmp_path / "folder").mkdir()
    result = mine("mail", "import", tmp_path / "folder")
    assert result.code == 1 and "not a Maildir" in result.err and result.err.count("\n") == 1
    plain = mine("mail", "import", "imap://li@mail.example/INBOX")
    assert plain.code == 1 and "TLS" in plain.err


@pytest.mark.parametrize("label, subject", [("GB2312", "关于喆的报价"), ("gbk", "报价"), ("big5", "樣品"),
                                            ("utf-8", "Grüße 👋")])
def test_encoded_subjects_read_in_their_charset(label, subject):
    import base64

    codec = {"GB2312": "gbk", "gbk": "gbk", "big5": "big5", "utf-8": "utf-8"}[label]
    encoded = base64.b64encode(subject.encode(codec)).decode()
    message = (f"From: a@b.example\nDate: Fri, 20 Nov 2026 16:30:00 +0100\nSubject: =?{label}?B?{encoded}?=\n\n"
               "x\n").encode()
    assert parse_mail(message).subject == subject
    assert parse_mail(message.replace(b"a@b.example", BJORN.encode())).sender.email == BJORN.lower()


def test_outgoing_mail_is_about_whom_it_was_written_to_not_whom_it_was_copied_to(mine, tmp_path):
    message = reply("<c1@brightline>", "<x@angstrom>", "<x@angstrom>", to=BJORN).replace(
        b"\nSubject:", f"\nCc: {HUAQIANG}\nSubject:".encode(), 1)
    result = mine("--format", "json", "mail", "import", maildir(tmp_path, message))
    assert [row["party"] for row in result.json()["logged"]] == ["customers/angstrom-components"]


def test_attachments_never_go_through_a_link(mine, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (mine.root / "attachments").rename(tmp_path / "moved")
    (mine.root / "attachments").symlink_to(elsewhere)
    folder = maildir(tmp_path, with_attachments("<a3@angstrom>", {"quote.pdf": b"%PDF"}),
                     thunderbird("<a4@angstrom>", "No files"))
    result = mine("--format", "json", "mail", "import", folder, "--attachments")
    assert result.code == 0, result.err
    assert [row["message_id"] for row in result.json()["logged"]] == ["<a4@angstrom>"]
    assert len(result.json()["refused"]) == 1 and result.err.count("refused") == 1
    assert list(elsewhere.iterdir()) == []
    assert "<a3@angstrom>" not in interactions_by_message(mine)


def test_an_attachment_over_the_bound_is_left_out_and_named(mine, tmp_path, monkeypatch):
    from crmcli.io import mailmessage

    monkeypatch.setattr(mailmessage, "MAX_ATTACHMENT", 1024)
    folder = maildir(tmp_path, with_attachments("<a5@angstrom>", {"huge.iso": b"x" * 2048, "small.txt": b"ok"}))
    assert mine("mail", "import", folder, "--attachments").code == 0
    record = interactions_by_message(mine)["<a5@angstrom>"][0]
    assert [entry["path"].rsplit("/", 1)[1] for entry in record["attachments"]] == ["small.txt"]
    assert record["body"].endswith("Attachments too large to keep: huge.iso\n")


def test_since_leaves_older_mail_out(mine, tmp_path):
    folder = maildir(tmp_path, thunderbird("<old@angstrom>", "Old", date="Mon, 02 Nov 2026 09:00:00 +0800"),
                     thunderbird("<new@angstrom>", "New", date="Sat, 21 Nov 2026 09:00:00 +0800"))
    result = mine("--format", "json", "mail", "import", folder, "--since", "7d")  # today is 2026-11-22
    assert [row["summary"] for row in result.json()["logged"]] == ["New"]


@pytest.mark.parametrize("codec", ["utf-8", "gbk"])
def test_raw_8bit_headers_as_sloppy_clients_send_them(codec):
    message = ("From: 张伟 <a@b.example>\nTo: \"Wang, Lei\" <w@x.example>, =?utf-8?b?5byg5LyfLCDmnY4=?= <z@x.example>\n"
               "Date: Fri, 20 Nov 2026 16:30:00 +0800\nSubject: 报价单 第二版\n\n正文\n").encode(codec)
    mail = parse_mail(message)
    assert (mail.subject, mail.sender.name, mail.body) == ("报价单 第二版", "张伟", "正文")
    assert [(a.email, a.name) for a in mail.to] == [("w@x.example", "Wang, Lei"), ("z@x.example", "张伟, 李")]
