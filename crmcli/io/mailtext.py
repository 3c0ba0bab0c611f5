"""An email's body as the few lines worth keeping: HTML made readable text, and the quoted
earlier mail and the signature cut off (the thread's other messages are interactions of
their own, and a signature says nothing new)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "hr"}
"""Elements set apart by a blank line."""
LINES = {"div", "tr", "li", "dt", "dd"}
"""Elements that start on a line of their own."""
HIDDEN = {"script", "style", "head", "title", "blockquote"}
"""Elements whose text is not the message's own (a blockquote is the mail replied to)."""
HIDDEN_CLASSES = re.compile(r"gmail_signature|moz-signature", re.I)
QUOTE_STARTS = re.compile(r"gmail_quote|moz-cite-prefix|divRplyFwdMsg|yahoo_quoted|OutlookMessageHeader|"
                          r"ntes-mailmaster-quote|QQMailQuote", re.I)
"""Elements where the quoted mail starts: nothing after them is the message's own."""
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
        self.quoted = False
        """The quoted mail has started: the rest is not read."""
        self.trailing = 0
        """Line ends at the end of the text so far."""
        self.started = False

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        if not text.strip(" \n"):
            self.trailing += text.count("\n")
        else:
            text = text.rstrip(" ")
            self.trailing = len(text) - len(text.rstrip("\n"))
            self.started = True

    def _break(self, newlines: int) -> None:
        """End the line (`newlines` 2: and leave a blank one), unless the text already does."""
        if self.started:
            self._emit("\n" * max(0, newlines - self.trailing))

    def handle_starttag(self, tag, attrs):
        if self.quoted:
            return
        if self.hidden:
            if tag == self.hidden[0]:
                self.hidden.append(tag)
            return
        classes = " ".join(value or "" for name, value in attrs if name in ("class", "id"))
        if classes and QUOTE_STARTS.search(classes):
            self.quoted = True
        elif tag in HIDDEN or (classes and HIDDEN_CLASSES.search(classes)):
            self.hidden.append(tag)
        elif tag == "br":
            self._emit("\n")
        elif tag in PARAGRAPHS or tag in LINES:
            self._break(2 if tag in PARAGRAPHS else 1)
            if tag == "li":
                self._emit("- ")

    def handle_endtag(self, tag):
        if self.quoted:
            return
        if self.hidden:
            if tag == self.hidden[0]:
                self.hidden.pop()
            return
        if tag in PARAGRAPHS or tag in LINES:
            self._break(2 if tag in PARAGRAPHS else 1)

    def handle_data(self, data):
        if not self.hidden and not self.quoted:
            self._emit(re.sub(r"\s+", " ", data))


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
