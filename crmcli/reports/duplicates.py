"""`crm check --duplicates`: pairs of parties that are likely the same company or person,
with a score: 100 when they share an email, phone or tax id, else how alike their names are
once 有限公司, GmbH and city prefixes are set aside (rapidfuzz). A customer and a supplier
that are one company are twins too: `crm merge` folds them into one party with both roles."""

from __future__ import annotations

from crmcli.i18n import _
from crmcli.model.kinds import PARTY_KINDS, Kind
from crmcli.model.likeness import duplicate_keys, likeness, name_key
from crmcli.model.record import Record
from crmcli.model.views import Column, Table

LIKELY = 85


def likely_duplicates(repo, threshold: int = LIKELY) -> Table:
    # lazy: rapidfuzz loads in 18 ms (python -X importtime); only fuzzy name matching needs it
    from rapidfuzz import fuzz, process

    rows = []
    parties = sorted((p for kind in PARTY_KINDS for p in repo.records(kind)), key=lambda record: record.ref)
    names = [name_key(party.data.get("name", "")) for party in parties]
    pairs: set[tuple[int, int]] = set()
    holders: dict[tuple[str, str], list[int]] = {}
    for position, party in enumerate(parties):
        for key in duplicate_keys(party.data):
            holders.setdefault(key, []).append(position)
    for group in holders.values():
        pairs.update((i, j) for i in group for j in group if i < j)
    scores = {}
    for position, name in enumerate(names[:-1]):
        for _name, score, other in process.extract(name, names[position + 1:], scorer=fuzz.ratio,
                                              score_cutoff=threshold, limit=None):
            pairs.add((position, position + 1 + other))
            scores[(position, position + 1 + other)] = score
    for i, j in pairs:
        score, why = likeness(parties[i].data, parties[j].data, scores.get((i, j), 0))
        if parties[i].kind != parties[j].kind:
            why = [*why, _("customer and supplier twins")]
        if score >= threshold:
            rows.append({"score": score, "a": parties[i].ref, "b": parties[j].ref, "why": ", ".join(why),
                         "a_name": parties[i].data.get("name"), "b_name": parties[j].data.get("name")})
    rows.sort(key=lambda row: (-row["score"], row["a"], row["b"]))
    columns = [Column("score", "score", "right"), Column("a", "party A"), Column("a_name", "name A"),
               Column("b", "party B"), Column("b_name", "name B"), Column("why", "why")]
    return Table(columns, rows, title="Likely duplicates (crm merge A B folds B into A)",
                 empty="no likely duplicates")


def duplicates_of(repo, kind: Kind, data: dict, threshold: int = LIKELY) -> list[tuple[int, Record, str]]:
    """(score, party, why) of the parties of `kind` that `crm check --duplicates` would pair with a
    new party `data`, best first: the same keys, the same name similarity and the same threshold.
    The names and keys come from the index (store/index.py `party_keys`); only the parties
    that come close are read."""
    # lazy: rapidfuzz loads in 18 ms (python -X importtime); only fuzzy name matching needs it
    from rapidfuzz import fuzz, process

    names = dict(repo.ask.name_keys(kind.name))
    scores = {ref: score for _name, score, ref in process.extract(
        name_key(data.get("name", "")), names, scorer=fuzz.ratio, score_cutoff=threshold, limit=None)}
    close = set(scores) | repo.ask.sharing_keys(kind.name, duplicate_keys(data))
    found = []
    for party in repo.ask.parties(close):
        score, why = likeness(data, party.data, scores.get(party.ref, 0))
        if score >= threshold:
            found.append((score, party, ", ".join(why)))
    return sorted(found, key=lambda match: (-match[0], match[1].ref))
