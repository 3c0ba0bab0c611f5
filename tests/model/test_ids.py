"""Ids: readable slugs for parties, collision-free random ids for the rest."""

from datetime import date

import pytest

from crmcli.model.ids import RANDOM_ID, SLUG, another_id, random_id, slugify, unique_slug


@pytest.mark.parametrize("name, slug", [
    ("深圳市华强电子有限公司", "huaqiang-dianzi"),
    ("华强电子", "huaqiang-dianzi"),
    ("张伟", "zhangwei"),
    ("Acme Corp", "acme"),
    ("Müller Elektrotechnik GmbH", "muller-elektrotechnik"),
    ("Straße AG", "strasse"),
    ("Ångström Components AB", "angstrom-components"),
    ("B's Beverages", "b-s-beverages"),
    ("[red]x[/red]", "red-x-red"),
    ("!!!", "party"),
])
def test_slugs(name, slug):
    assert slugify(name) == slug
    assert SLUG.match(slugify(name))


def test_unique_slug_counts_up():
    taken = {"acme", "acme-2"}
    assert unique_slug("Acme", taken.__contains__) == "acme-3"


def test_random_ids_have_the_documented_shape_and_vary():
    ids = {random_id("IN", date(2026, 11, 22)) for _ in range(200)}
    assert len(ids) > 190
    assert all(RANDOM_ID.match(i) and i.startswith("IN-20261122-") for i in ids)


def test_another_id_numbers_a_slug_and_draws_a_random_id_of_the_same_prefix_and_day():
    taken = {"acme", "acme-2"}
    assert another_id("acme", taken.__contains__) == "acme-3"
    drawn = another_id("IN-20261120-7KQ2", {"IN-20261120-7KQ2"}.__contains__)
    assert RANDOM_ID.match(drawn) and drawn.startswith("IN-20261120-") and drawn != "IN-20261120-7KQ2"
