"""The compiled schema check (store/accept.py) says "valid" exactly when jsonschema does, on
the demo's records and on many damaged copies of them: a wrong answer of "valid" would
let a broken file into the index unreported."""

import copy
from decimal import Decimal
from pathlib import Path

from conftest import DEMO, examples
from crmcli.model.kinds import BY_FOLDER
from crmcli.store import codec
from crmcli.store.schemas import accepts, validator

ODD_VALUES = [None, True, False, 0, -1, 7, 367, 10**12, Decimal("0.5"), Decimal("-3"), Decimal("1.0"), "", "x",
              "x" * 300, "2026-02-30", "2026-11-22", "2026-11-22T14:30:00+08:00", "2026-11-22T14:30:00",
              "USD", "XXX", "customers/acme", "30d", "a@b.example", "not an email", "has space", [], ["a", "a"],
              ["a", "b"], [1, 2], {}, {"x": 1}, {"name": "张伟"}]


def _records() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(Path(DEMO).rglob("*.yaml")):
        folder = path.relative_to(DEMO).parts[0]
        if folder in BY_FOLDER:
            found.append((BY_FOLDER[folder].schema, codec.decode(path.read_bytes())))
    return found


def _containers(value, found: list) -> list:
    """Every mapping and list within `value` (itself included)."""
    if isinstance(value, (dict, list)):
        found.append(value)
        for child in value.values() if isinstance(value, dict) else value:
            _containers(child, found)
    return found


def _damage(record: dict, rng) -> dict:
    """A copy with a few changes: a value replaced by an odd one, a field removed, a field added."""
    damaged = copy.deepcopy(record)
    for _ in range(rng.randint(1, 3)):
        target = rng.choice(_containers(damaged, []))
        if isinstance(target, list):
            if target:
                target[rng.randrange(len(target))] = copy.deepcopy(rng.choice(ODD_VALUES))
            else:
                target.append(copy.deepcopy(rng.choice(ODD_VALUES)))
            continue
        roll = rng.random()
        if target and roll < 0.6:
            target[rng.choice(sorted(target))] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif target and roll < 0.8:
            del target[rng.choice(sorted(target))]
        else:
            target[rng.choice(["extra", "notes", "tags", "status", "due"])] = copy.deepcopy(rng.choice(ODD_VALUES))
    return damaged


def test_every_demo_record_is_accepted_by_both():
    records = _records()
    assert len(records) > 50
    for schema, record in records:
        assert accepts(schema)(record) and validator(schema).is_valid(record)


def test_damaged_records_get_the_same_answer_from_both(rng):
    records = _records()
    answers = set()
    for _ in range(examples(3000, 30000)):
        schema, record = rng.choice(records)
        damaged = _damage(record, rng)
        expected = validator(schema).is_valid(damaged)
        assert accepts(schema)(damaged) == expected, (schema, damaged)
        answers.add(expected)
    assert answers == {True, False}


def test_equality_and_uniqueness_are_jsonschemas(rng):
    """`enum`, `const` and `uniqueItems` compare as jsonschema does (true is not 1, 1.0 is 1,
    lists and mappings item by item), now that a write that passes never loads jsonschema."""
    from jsonschema._utils import equal as their_equal
    from jsonschema._utils import uniq as their_unique

    from crmcli.store.accept import equal, unique

    def value(depth: int = 0):
        pick = rng.randrange(8 if depth < 2 else 5)
        if pick < 5:
            return rng.choice([None, True, False, 0, 1, 1.0, Decimal("1"), Decimal("1.00"), "1", "", "a", "张"])
        if pick < 7:
            return [value(depth + 1) for _ in range(rng.randrange(3))]
        return {rng.choice("ab"): value(depth + 1) for _ in range(rng.randrange(3))}

    for _ in range(3000):
        one, two = value(), value()
        assert equal(one, two) == their_equal(one, two), (one, two)
        items = [value() for _ in range(rng.randrange(4))]
        assert unique(items) == bool(their_unique(items)), items
