"""An email's body as the few lines worth keeping: HTML made readable text, and the quoted
earlier mail and the signature cut off (the thread's other messages are interactions of
their own, and a signature says nothing new)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "hr"}
HIDDEN = {"script", "style", "head", "title", "blockquote"}
"""Elements whose text is not the message's own (a blockquote is the mail replied to)."""
QUOTE_CLASSES = re.compile(r"gmail_quote|gmail_signature|moz-cite-prefix|divRplyFwdMsg|yahoo_quoted|"
                           r"OutlookMessageHeader|moz-signature", re.I)
REPLY_HEAD = re.compile(
    r"^\s*(On\b.{0,300}\bwrote:|Am\b.{0,300}\bschrieb.{0,40}:|Le\b.{0,300}\ba écrit\s*:|在.{0,300}写道\s*[:：]|"
    r"-{2,}\s*(Original Message|Forwarded message|原始邮件|转发的邮件)\s*-{2,}|_{20,}|"
    r"(From|发件人)\s*[:：].+\n\s*(Sent|Date|发送时间|日期|To|收件人)\s*[:：])", re.I | re.M)
SIGNATURE = re.compile(r"^(-- ?|--|__|Sent from my \w+.*|发自我的\w+.*)$", re.M)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[str] = []
        """Tags opened that hide their content, innermost last."""

    def handle_starttag(self, tag, attrs):
        if self.hidden:
            if tag == self.hidden[0]:
                self.hidden.append(tag)
            return
        classes = " ".join(value or "" for name, value in attrs if name in ("class", "id"))
        if tag in HIDDEN or (classes and QUOTE_CLASSES.search(classes)):
            self.hidden.append(tag)
            return
        if tag in BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_startendtag(self, tag, attrs):
        if not self.hidden and tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if self.hidden:
            if tag == self.hidden[0]:
                self.hidden.pop()
            return
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The readable text of an HTML mail: paragraphs and list items on their own lines, quoted
    mail, scripts and styles left out, entities decoded."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    lines = [line.strip() for line in "".join(reader.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def trim_reply(text: str) -> str:
    """The text without the mail it quotes (`> ` lines, `On … wrote:` and what follows) and
    without the signature (from a `-- ` line on)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    head = REPLY_HEAD.search(text)
    if head and text[:head.start()].strip():
        text = text[:head.start()]
    signature = SIGNATURE.search(text)
    if signature and text[:signature.start()].strip():
        text = text[:signature.start()]
    lines = [line.rstrip() for line in text.split("\n") if not line.lstrip().startswith(">")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
