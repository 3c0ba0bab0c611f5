"""The one table policy (render/layout.py): what goes first when a terminal is narrow."""

from conftest import run_crm
from crmcli import open_repo
from crmcli.model.kinds import KINDS
from crmcli.model.views import KEEP, LOW, Column
from crmcli.query.resolve import resolve_record
from crmcli.render.layout import PADDING, balanced, plan, short_ids, width


def test_ids_shorten_to_one_length_at_which_no_other_id_starts_with_a_prefix():
    """All ids of a column are cut to one length (so `RM-2` never stands beside `IN-20261205-Q`)."""
    ids = ["huaqiang-dianzi", "huaxin-wuliu", "li", "linxiaowen", "acme", "acme-corp"]
    short = short_ids(ids)
    assert short == ["huaqi", "huaxi", "li", "linxi", "acme", "acme-"]
    for mine, shown in zip(ids, short, strict=True):
        assert mine.startswith(shown)
        assert shown == mine or not any(other.startswith(shown) for other in ids if other != mine)


def test_chinese_text_is_measured_in_cells():
    assert width("深圳市华强电子") == 14 and width("Ångström") == 8 and width("a\nlonger") == 6


def columns_and_cells():
    columns = [Column("id", "id", style="id"), Column("name", "name", priority=KEEP), Column("tags", "tags", priority=LOW),
               Column("city", "city"), Column("amount", "amount", align="right", style="money")]
    cells = [["huaqiang-dianzi-youxian-gongsi", "深圳市华强电子有限公司", "vip, cable, key-account", "深圳", "1,250,000.00"],
             ["hongda-dianqi", "天津宏达电器有限公司", "", "天津", "0.00"]]
    return columns, cells


def test_a_wide_terminal_shows_everything_as_it_is():
    columns, cells = columns_and_cells()
    layout = plan(columns, cells, 200)
    assert layout.shown == [0, 1, 2, 3, 4] and not layout.ids


def test_narrower_ids_shorten_then_low_columns_go_then_normal_ones_never_the_kept_nor_the_ids():
    columns, cells = columns_and_cells()
    shortened = plan(columns, cells, 100)
    assert shortened.shown == [0, 1, 2, 3, 4] and shortened.ids == {0: ["huaq", "hong"]}
    assert plan(columns, cells, 60).shown == [0, 1, 3, 4]  # tags (LOW) went first
    assert plan(columns, cells, 48).shown == [0, 1, 4]  # ids are what commands take: they stay
    assert plan(columns, cells, 30).shown == [0, 1, 4]  # as the name and the amount do
    for total in range(10, 200):
        layout = plan(columns, cells, total)
        assert 0 in layout.shown and 1 in layout.shown and 4 in layout.shown
        used = sum(layout.widths) + PADDING * len(layout.shown) - 1
        assert used <= total or min(layout.widths) <= 2, (total, layout)


def test_piped_plain_output_keeps_one_record_per_line(demo):
    """However narrow the terminal would be, `plain` is for programs: a header, a rule, and
    each customer on one line, whole."""
    out = run_crm("--data-dir", demo.root, "customer", "list").out
    customers = demo("customer", "list", "--format", "json").json()
    lines = out.splitlines()
    assert len(lines) == 2 + len(customers)
    for customer in customers:
        assert sum(customer["name"] in line and customer["id"] in line for line in lines) == 1


def test_a_shortened_id_stays_unique_among_every_id_known_ignoring_case():
    known = ["SO-20261121-8B1G", "SO-20261122-J506", "so-20261122-j5zz", "huaqiang-dianzi"]
    assert short_ids(["SO-20261121-8B1G", "SO-20261122-J506"], known) == ["SO-20261121-8B1", "SO-20261122-J50"]


def test_shortened_ids_on_a_narrow_terminal_each_name_one_record(demo, monkeypatch):
    """What a narrow table shows as an id can be typed back: `crm order show PREFIX` finds it."""
    monkeypatch.setenv("COLUMNS", "100")
    out = demo("order", "list", "--format", "table").out
    full = {order["id"] for order in demo("order", "list", "--format", "json").json()}
    shown = [line.split()[1] for line in out.splitlines() if line.strip()[:2] == "20"]
    assert shown and any(ident not in full for ident in shown), out  # some were shortened
    repo = open_repo(demo.root)
    for ident in shown:
        assert resolve_record(repo, KINDS["order"], ident).id.startswith(ident)  # what `order show` does


def test_a_chinese_name_that_must_wrap_wraps_in_even_lines():
    """Not 深圳市华强电子有限公 / 司: as few lines as at the greedy break, about as wide."""
    assert balanced("苏州瑞丰新能源科技有限公司", 24) == "苏州瑞丰新能源\n科技有限公司"
    assert balanced("深圳市华强电子有限公司", 20) == "深圳市华强电\n子有限公司"
    assert balanced("HDMI线新项目ABC", 8) == "HDMI线新\n项目ABC"
    for text in ("深圳市华强电子有限公司", "Müller Elektrotechnik GmbH", "深圳 华强"):  # fits, or has spaces
        assert balanced(text, 22) == text


def test_a_low_column_goes_before_a_kept_chinese_name_wraps():
    columns = [Column("due", "due", style="date"), Column("when", "when", priority=LOW),
               Column("party", "party", priority=KEEP), Column("reason", "reason", priority=KEEP)]
    cells = [["2026-09-14", "82 days late", "北京北方通信设备有限公司", "payment of 186,400.00 CNY outstanding " * 2]]
    assert plan(columns, cells, 80).widths[2] == 24  # room for all
    layout = plan(columns, cells, 72)
    assert layout.shown == [0, 2, 3] and layout.widths[1] == 24



def test_a_currency_stays_beside_its_amounts():
    """At 80 columns `crm deal list` showed 180,000.00 and 36,000.00 without saying that one
    is yuan and the other dollars: the currency column is kept as the amounts are."""
    columns = [Column("close", "close", style="date"), Column("title", "title", priority=KEEP),
               Column("party", "party", priority=KEEP), Column("stage", "stage", translate=True),
               Column("amount", "amount", align="right", style="money"), Column("currency", "cur")]
    cells = [["2026-11-15", "Spring 2027 private-label USB-C range", "Harbor Lane Retail Ltd", "proposal", "36,000.00",
              "USD"],
             ["2026-10-31", "服务机器人传感器线缆和小型连接器", "杭州云帆智能科技有限公司", "needs-analysis", "180,000.00",
              "CNY"]]
    for total in (40, 60, 80):
        assert plan(columns, cells, total).shown == [0, 1, 2, 4, 5], total  # the stage goes, the currency stays
