"""Text folding into words (model/text.py), as the index stores it and queries look for it."""

import re

from crmcli.model.text import CJK, fold, words


def test_words_break_text_where_the_regular_expressions_break_it(rng):
    """`words` takes short cuts (a translation table for ASCII, one `findall` for the rest):
    the same words as folding, then breaking at every non-word character and `_`, and
    spacing out each Chinese character, on text from every script."""
    alphabet = [chr(code) for code in range(128)] + list("华强电子张伟ÄöüßéıİſﬁＡ１_\u3000\u2028\u00a0\u0301")
    alphabet += [chr(rng.randint(0x80, 0x2FFFF)) for _ in range(200)]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        spaced = re.sub(f"([{CJK}])", r" \1 ", fold(text))
        assert words(text) == " ".join(re.sub(rf"[^\w{CJK}]+|_", " ", spaced).split()), repr(text)
