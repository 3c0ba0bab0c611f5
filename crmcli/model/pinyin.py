"""Pinyin of Chinese text exactly as pypinyin's `lazy_pinyin` gives it, without loading its
phrase dictionary on every run.

pypinyin reads 47,000 phrases (2.5 MB of JSON) and trains its segmenter on them when it is
imported, about 190 ms of a `crm customer add 华强电子` (python -X importtime). What those
phrases decide is small: where a run of characters splits into words, and, for the 3,400 or
so phrases whose reading is not their characters' usual one (重庆 chongqing, not zhongqing),
that reading. So crm segments runs itself, as pypinyin's maximum-forward-matching segmenter
does, from a table made once from pypinyin's own data: the phrases, their prefixes, the
exceptional readings, each character's reading and which characters have one. Text that is
not all such characters is handed to pypinyin itself, imported without its phrases
(`PYPINYIN_NO_PHRASES`, about 35 ms). The table is derived data kept in the user's cache
folder (never in a data directory), named by pypinyin's dictionaries, made when missing, and
read as it is stored: `marshal` (a third of the time JSON takes) of sorted lists that lookups
bisect (sets of 87,000 words took longer to hash than the rest of a `crm customer add`).
tests/model/test_pinyin.py compares the result with pypinyin's on thousands of strings.
"""

from __future__ import annotations

import functools
import importlib.util
import marshal
import os
import re
import sys
from bisect import bisect_left
from pathlib import Path

from crmcli.model.folders import cache_folder


def lazy_pinyin(text: str, errors="default") -> list[str]:
    """pypinyin's `lazy_pinyin(text, errors=errors)` (plain style): one syllable per Chinese
    character, read as a word where the text holds one, and what `errors` makes of the rest
    (which pypinyin itself, imported then, converts)."""
    table = _table()
    out: list[str] = []
    for run in table.runs.finditer(text):
        piece = run.group()
        if run.lastgroup != "hans":
            out.extend(_pypinyin().lazy_pinyin(piece, errors=errors))
            continue
        for word in _cut(piece, table):
            reading = table.readings.get(word)
            if reading is None and all(char in table.chars for char in word):
                reading = [table.chars[char] for char in word]
            out.extend(reading if reading is not None else _pypinyin().lazy_pinyin(word, errors=errors))
    return out


def _holds(words: list[str], word: str) -> bool:
    """Whether sorted `words` holds `word`."""
    at = bisect_left(words, word)
    return at < len(words) and words[at] == word


class _Table:
    """What pypinyin's data decides, in the plain style (see the module's docstring)."""

    def __init__(self, data: dict):
        self.phrases: list[str] = data["phrases"].split("\n")  # sorted, as _made keeps them
        self.prefixes: list[str] = data["prefixes"].split("\n")
        """The beginnings of phrases that are no phrase themselves, sorted."""
        self.readings = {phrase: reading.split(" ") for phrase, reading in data["readings"].items()}
        self.chars: dict[str, str] = data["chars"]
        hans = data["hans"]  # pypinyin's class of characters that have pinyin: `[〇㐀-䶿一-鿿…]`
        self.runs = re.compile(f"(?P<hans>{hans}+)|[^{hans[1:]}+")
        """Runs of those characters and runs of others, as pypinyin's `simple_seg` splits text."""


def _cut(run: str, table: _Table):
    """The words of a run of Chinese characters, as pypinyin's `mmseg.Seg(no_non_phrases=True)`
    cuts it: the longest phrase from the start whose every prefix starts some phrase, else one
    character; a tail that only starts phrases is cut into characters."""
    remain = run
    while remain:
        last = 0
        for end in range(1, len(remain) + 1):
            word = remain[:end]
            phrase = _holds(table.phrases, word)
            if not phrase and not _holds(table.prefixes, word):
                break
            if phrase:
                last = end
        else:
            if not last:
                yield from remain
                return
        if last:
            yield remain[:last]
            remain = remain[last:]
        else:
            yield remain[0]
            remain = remain[1:]


@functools.cache
def _pypinyin():
    """pypinyin, imported without its phrases (unless something imported it already)."""
    setting = os.environ.get("PYPINYIN_NO_PHRASES")
    os.environ["PYPINYIN_NO_PHRASES"] = "1"  # read once, when pypinyin is first imported
    try:
        # lazy: pypinyin loads in 35 ms without its phrases (python -X importtime); only text
        # other than Chinese characters, or a missing table, needs it
        import pypinyin
    finally:
        if setting is None:
            del os.environ["PYPINYIN_NO_PHRASES"]
        else:
            os.environ["PYPINYIN_NO_PHRASES"] = setting
    return pypinyin


@functools.cache
def _table() -> _Table:
    """The table, read from the cache, else made from pypinyin's data and kept there. It is named
    by the size and time of pypinyin's dictionaries, so a new pypinyin gets a new table."""
    spec = importlib.util.find_spec("pypinyin")
    folder = Path(spec.origin).parent if spec is not None and spec.origin else None
    stamp = "-".join(str(int(stat.st_size)) + "." + str(stat.st_mtime_ns) for stat in (
        os.stat(folder / name) for name in ("pinyin_dict.json", "phrases_dict.json"))) if folder else "none"
    # marshal's format is Python's own: the version is part of the name
    cache = cache_folder() / f"pinyin-{stamp}-py{sys.version_info[0]}{sys.version_info[1]}.marshal"
    try:
        return _Table(marshal.loads(cache.read_bytes()))
    except (OSError, EOFError, ValueError, LookupError, TypeError, AttributeError, re.error):  # missing or damaged
        data = _made(_pypinyin())
        _keep(cache, data)
        return _Table(data)


def _made(pypinyin) -> dict:
    """The table, from pypinyin's phrase dictionary (loaded here, once)."""
    # lazy: the phrase dictionary loads in 160 ms (python -X importtime); only a missing table needs it
    from pypinyin import phrases_dict

    phrases = sorted(phrases_dict.phrases_dict)
    chars = sorted(chr(code) for code in pypinyin.pinyin_dict.pinyin_dict)
    single = dict(zip(chars, pypinyin.lazy_pinyin(chars), strict=True))  # no phrases loaded yet: one char each
    pypinyin.load_phrases_dict(phrases_dict.phrases_dict)
    readings = {}
    for phrase in phrases:
        reading = pypinyin.lazy_pinyin(phrase)
        if reading != [single.get(char) for char in phrase]:
            readings[phrase] = " ".join(reading)
    prefixes = sorted({phrase[:end] for phrase in phrases for end in range(1, len(phrase))} - set(phrases))
    pattern = pypinyin.constants.RE_HANS.pattern
    assert pattern.startswith("^(?:[") and pattern.endswith("])+$"), "pypinyin's RE_HANS is a class"
    return {"phrases": "\n".join(phrases), "prefixes": "\n".join(prefixes), "readings": readings, "chars": single,
            "hans": pattern[len("^(?:"):-len(")+$")]}


def _keep(path: Path, data: dict) -> None:
    """Write the table whole (a reader never sees half of it); a cache that cannot be written
    only means making the table again next time."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps(data))
        os.replace(temporary, path)
    except OSError:
        pass
