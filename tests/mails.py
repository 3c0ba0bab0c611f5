"""Emails as real clients write them, for the `crm mail` tests: Thunderbird's
multipart/alternative in quoted-printable, Outlook's base64 HTML with a GB2312-labelled GBK
subject, Foxmail's Big5, a reply quoting the mail before it, attachments, a 10 MB message
and a malformed one. Built with the standard library's `email`, as bytes."""

from __future__ import annotations

import base64
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

ME = "li@brightline.example"
HUAQIANG = "purchasing@huaqiang.example"
"""An address of the demo's customers/huaqiang-dianzi."""
BJORN = "Bjorn.Lindqvist@angstrom-components.example"
"""A contact's address of the demo's customers/angstrom-components (in other case)."""


def thunderbird(message_id: str, subject: str, *, sender: str = BJORN, to: str = ME, date: str | None = None,
                text: str = "Hello Li,\n\nthe samples left today.\n\n-- \nBjörn Lindqvist\nÅngström Components\n",
                in_reply_to: str | None = None, references: str | None = None) -> bytes:
    """multipart/alternative, text quoted-printable and HTML, as Thunderbird sends."""
    mail = EmailMessage()
    mail["From"] = f"Björn Lindqvist <{sender}>"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = date or "Fri, 20 Nov 2026 16:30:00 +0100"
    mail["Message-ID"] = message_id
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    if references:
        mail["References"] = references
    mail["User-Agent"] = "Mozilla/5.0 Thunderbird/115.5.0"
    mail.set_content(text, cte="quoted-printable")
    mail.add_alternative("<html><body><p>" + text.replace("\n", "<br>") + "</p></body></html>", subtype="html")
    return mail.as_bytes()


def outlook_gbk(message_id: str) -> bytes:
    """HTML only, base64, a subject labelled GB2312 holding a GBK-only character (喆), as
    Outlook and Foxmail in China send; the quoted mail in Outlook's reply header."""
    subject = "回复: 关于喆的报价"
    html = ("<html><head><style>p{color:red}</style></head><body><div>王经理，您好：</div>"
            "<div>价格已确认，请&nbsp;查收。</div><ul><li>CAB-07 × 40</li></ul>"
            "<div id=\"divRplyFwdMsg\"><b>发件人:</b> 李 &lt;li@brightline.example&gt;<br>"
            "<b>发送时间:</b> 2026年11月19日</div><div>旧的邮件</div></body></html>")
    mail = MIMEText(html, "html", "gbk")
    del mail["Content-Transfer-Encoding"]
    mail.set_payload(base64.encodebytes(html.encode("gbk")).decode("ascii"))
    mail["Content-Transfer-Encoding"] = "base64"
    encoded = base64.b64encode(subject.encode("gbk")).decode("ascii")
    mail["Subject"] = f"=?GB2312?B?{encoded}?="
    mail["From"] = f"=?GB2312?B?{base64.b64encode('华强采购'.encode('gbk')).decode()}?= <{HUAQIANG}>"
    mail["To"] = f"Li <{ME}>"
    mail["Date"] = "Thu, 19 Nov 2026 10:05:00 +0800"
    mail["Message-ID"] = message_id
    mail["X-Mailer"] = "Microsoft Outlook 16.0"
    return mail.as_bytes()


def big5(message_id: str, sender: str) -> bytes:
    mail = MIMEText("樣品已收到。\n", "plain", "big5")
    mail["Subject"] = Header("樣品已收到", "big5").encode()
    mail["From"] = sender
    mail["To"] = ME
    mail["Date"] = "Wed, 18 Nov 2026 09:00:00 +0800"
    mail["Message-ID"] = message_id
    return mail.as_bytes()


def reply(message_id: str, parent: str, root: str, sender: str = ME, to: str = BJORN) -> bytes:
    """Our answer, quoting the mail before it, as mutt writes (text only, 8bit)."""
    mail = EmailMessage()
    mail["From"] = f"Li <{sender}>"
    mail["To"] = to
    mail["Subject"] = "Re: Samples"
    mail["Date"] = "Sat, 21 Nov 2026 09:00:00 +0800"
    mail["Message-ID"] = message_id
    mail["In-Reply-To"] = parent
    mail["References"] = f"{root} {parent}"
    mail.set_content("Thanks, received.\n\nOn Fri, Nov 20, 2026 at 16:30 Björn wrote:\n> the samples left today.\n"
                     "> -- \n> Björn\n", cte="8bit")
    return mail.as_bytes()


def with_attachments(message_id: str, files: dict[str, bytes], sender: str = BJORN) -> bytes:
    mail = MIMEMultipart("mixed")
    mail["From"] = sender
    mail["To"] = ME
    mail["Subject"] = "Quote attached"
    mail["Date"] = "Fri, 20 Nov 2026 11:00:00 +0100"
    mail["Message-ID"] = message_id
    mail.attach(MIMEText("See the attached quote.\n", "plain", "utf-8"))
    for name, data in files.items():
        part = MIMEApplication(data)  # base64
        part.add_header("Content-Disposition", "attachment", filename=name if name.isascii() else ("utf-8", "", name))
        mail.attach(part)
    return mail.as_bytes()


def malformed() -> bytes:
    """No sender, a broken date, a boundary that never closes: what a broken script sends."""
    return (b"Subject: =?utf-8?B?broken?=\nDate: yesterday-ish\nContent-Type: multipart/mixed; boundary=\"x\"\n\n"
            b"--x\nContent-Type: text/plain\n\nhalf a message\n")
