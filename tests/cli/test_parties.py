"""`crm customer|supplier add/list/show/edit/rm` on real data directories."""

import stat
import sys

import pytest

from fs_conditions import read_only


def test_add_prints_the_id_and_writes_the_file(empty):
    result = empty("customer", "add", "深圳市华强电子有限公司", "--industry", "electronics", "--tag", "vip",
                   "--tag", "cable", "--city", "深圳", "--country", "cn", "--phone", "+86 755 8888 0000",
                   "--email", "purchasing@huaqiang.example", "--terms", "net 30", "--follow-up", "30d",
                   "--region", "华南", "--note", "Met at the Canton Fair")
    assert result.code == 0, result.err
    assert result.out == "huaqiang-dianzi\n"
    record = empty.read("customers/huaqiang-dianzi.yaml")
    assert record["name"] == "深圳市华强电子有限公司"
    assert record["tags"] == ["vip", "cable"]
    assert record["addresses"] == [{"city": "深圳", "country": "CN"}]
    assert record["owner"] == "li"
    assert record["lifecycle"] == "customer"
    assert record["created"].endswith("+08:00")
    assert list(record)[:3] == ["id", "name", "entity"]


def test_suppliers_share_the_commands_but_have_no_lifecycle(empty):
    assert empty("supplier", "add", "Kühne Präzisionsteile GmbH").out == "kuhne-prazisionsteile\n"
    record = empty.read("suppliers/kuhne-prazisionsteile.yaml")
    assert "lifecycle" not in record
    assert empty("supplier", "list", "--format", "json").json()[0]["id"] == "kuhne-prazisionsteile"


def test_ids_stay_unique_and_can_be_chosen(empty):
    assert empty("customer", "add", "Acme Corp").out == "acme\n"
    assert empty("customer", "add", "ACME Corporation", "--force").out == "acme-2\n"
    assert empty("customer", "add", "Acme", "--id", "acme-hk", "--force").out == "acme-hk\n"
    taken = empty("customer", "add", "Other", "--id", "acme")
    assert taken.code == 1 and "already exists" in taken.err
    bad = empty("customer", "add", "Other", "--id", "../evil")
    assert bad.code == 1 and "invalid id" in bad.err
    assert not (empty.root.parent / "evil.yaml").exists()


def test_add_reads_a_yaml_record_from_stdin(empty):
    document = ("name: Northwind Robotics Inc.\nindustry: robotics\n"
                "contacts:\n  - name: Sarah Mitchell\n    title: CTO\n")
    result = empty("customer", "add", "-", "--tag", "us", input=document)
    assert result.code == 0, result.err
    record = empty.read("customers/northwind-robotics.yaml")
    assert record["contacts"][0]["title"] == "CTO" and record["tags"] == ["us"]


@pytest.mark.parametrize("args, message", [
    (["--email", "not-an-email"], "not a valid email address"),
    (["--country", "China"], "country"),
    (["--follow-up", "often"], "interval"),
    (["--phone", "call me"], "phone"),
])
def test_bad_values_are_refused_and_nothing_is_written(empty, args, message):
    result = empty("customer", "add", "Acme", *args)
    assert result.code == 1
    assert message in result.err and len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err
    assert empty.files("customers") == []


def test_list_filters_and_formats(demo):
    rows = demo("customer", "list", "--tag", "vip", "--format", "json").json()
    assert [row["id"] for row in rows] == ["huaqiang-dianzi"]
    assert rows[0]["contacts"][0]["name"] == "张伟"
    lines = demo("customer", "list", "--owner", "emma", "--format", "jsonl").out.splitlines()
    assert len(lines) == 8
    csv_out = demo("customer", "list", "--format", "csv").out.splitlines()
    assert csv_out[0].startswith("id,name,lifecycle")
    markdown = demo("customer", "list", "--format", "markdown").out
    assert markdown.splitlines()[1].startswith("|:-") or markdown.splitlines()[1].startswith("|-")
    leads = [p.stem for p in demo.files("customers") if demo.read(f"customers/{p.name}").get("lifecycle") == "lead"]
    plain = demo("customer", "list", "--lifecycle", "lead").out
    assert leads and all(lead in plain for lead in leads) and "华强" not in plain


def test_list_sorts_chinese_names_by_pinyin(demo):
    names = [row["name"] for row in demo("customer", "list", "--format", "json").json()]
    assert (names.index("北京北方通信设备有限公司") < names.index("广州嘉信汽车配件有限公司")
            < names.index("杭州云帆智能科技有限公司"))


def test_empty_list_says_so_on_stderr(demo):
    result = demo("customer", "list", "--tag", "nothing-has-this")
    assert result.code == 0 and result.out == "" and "no customers match" in result.err


def test_edit_set_add_and_remove_tags(demo):
    result = demo("customer", "edit", "huaqiang", "--set", "industry=制造", "--set", "addresses[0].city=深圳市",
                  "--add-tag", "2027", "--rm-tag", "cable")
    assert result.code == 0, result.err
    record = demo.read("customers/huaqiang-dianzi.yaml")
    assert record["industry"] == "制造" and record["addresses"][0]["city"] == "深圳市"
    assert record["tags"] == ["vip", "key-account", "2027"]
    assert record["updated"].startswith("2026-11-22T")


def test_edit_keeps_hand_comments(demo):
    before = demo.text("customers/huaqiang-dianzi.yaml")
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert comments, "the demo file has a hand comment"
    assert demo("customer", "edit", "huaqiang-dianzi", "--set", "website=https://hq.example").code == 0
    after = demo.text("customers/huaqiang-dianzi.yaml")
    assert all(comment in after for comment in comments)
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert sorted(line.split(":")[0] for line in changed) == ["updated", "website"]


@pytest.mark.parametrize("assignment, message", [
    ("colour=red", "unknown field 'colour'"),
    ("contacts[0].primary=maybe", "not true or false"),
    ("entity=robot", "not one of company, person"),
    ("emails=a@b", "not a valid email address"),
    ("id=other", "cannot be changed"),
    ("nonsense", "FIELD=VALUE"),
])
def test_edit_refuses_bad_assignments(demo, assignment, message):
    before = demo.text("customers/huaqiang-dianzi.yaml")
    result = demo("customer", "edit", "huaqiang", "--set", assignment)
    assert result.code == 1 and message in result.err, result.err
    assert demo.text("customers/huaqiang-dianzi.yaml") == before


def _editor(tmp_path, script: str) -> str:
    path = tmp_path / "editor.py"
    path.write_text(f"#!{sys.executable}\nimport sys, pathlib\np = pathlib.Path(sys.argv[1])\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_edit_without_flags_opens_the_editor_and_validates(demo, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "p.write_text(p.read_text().replace('industry: electronics', "
                                                   "'industry: cables  # changed by hand'))"))
    result = demo("customer", "edit", "huaqiang")
    assert result.code == 0, result.err
    text = demo.text("customers/huaqiang-dianzi.yaml")
    assert "industry: cables  # changed by hand" in text


def test_an_invalid_edit_is_refused_with_its_line_and_leaves_the_file(demo, tmp_path, monkeypatch):
    before = demo.text("customers/huaqiang-dianzi.yaml")
    monkeypatch.setenv("EDITOR",
                       _editor(tmp_path, "p.write_text(p.read_text().replace('entity: company', 'entity: robot'))"))
    result = demo("customer", "edit", "huaqiang")
    assert result.code == 1
    line = next(i for i, text in enumerate(before.splitlines(), 1) if text.startswith("entity:"))
    assert f"customers/huaqiang-dianzi.yaml:{line}:" in result.err and "robot" in result.err
    assert demo.text("customers/huaqiang-dianzi.yaml") == before


def test_rm_refuses_while_referenced_and_force_removes_everything(demo):
    refused = demo("customer", "rm", "huaqiang")
    assert refused.code == 1 and "--force" in refused.err
    assert (demo.root / "customers/huaqiang-dianzi.yaml").exists()
    forced = demo("customer", "rm", "huaqiang", "--force")
    assert forced.code == 0, forced.err
    assert not (demo.root / "customers/huaqiang-dianzi.yaml").exists()
    assert demo("timeline", "--party", "huaqiang-dianzi").code == 1
    assert demo("check").code == 0


def test_rm_of_an_unreferenced_party(empty):
    empty("customer", "add", "Acme")
    assert empty("customer", "rm", "acme").code == 0
    assert empty.files("customers") == []


def test_show_has_profile_contacts_steps_and_timeline(demo):
    view = demo("show", "huaqiang", "--format", "json").json()
    assert view["party"]["id"] == "huaqiang-dianzi"
    assert [step["next"]["due"] for step in view["open_next_steps"]] == ["2026-11-18", "2026-11-24"]
    moments = [i["at"] for i in view["interactions"]]
    assert moments == sorted(moments, reverse=True)
    assert view["last_contact"]["id"] == view["interactions"][0]["id"]
    text = demo("customer", "show", "huaqiang-dianzi", "--format", "plain").out
    for part in ("Contacts", "张伟", "Open next steps", "Timeline", "net 30"):
        assert part in text


def test_read_only_data_directory(demo):
    demo("customer", "list")
    with read_only(demo.root):
        result = demo("customer", "add", "Acme")
        assert result.code == 3 and "read-only" in result.err, result.err
        assert demo("customer", "list", "--format", "json").code == 0
        assert demo("log", "huaqiang", "call", "x").code == 3
    assert not (demo.root / "customers/acme.yaml").exists()


def test_list_sorts_chinese_names_by_pinyin_and_by_other_keys(demo):
    from pypinyin import lazy_pinyin

    from crmcli.model.text import fold

    names = [r["name"] for r in demo("customer", "list", "--format", "json").json()]
    assert names == sorted(names, key=lambda name: fold("".join(lazy_pinyin(name))))
    assert (names.index("北京北方通信设备有限公司") < names.index("广州嘉信汽车配件有限公司")
            < names.index("杭州云帆智能科技有限公司"))
    last = demo("customer", "list", "--sort", "last", "--format", "json").json()
    assert last[0]["id"] == "hongda-dianqi"
    created = [r["created"] for r in demo("customer", "list", "--sort", "created", "--format", "json").json()]
    assert created == sorted(created, reverse=True)
    assert demo("customer", "list", "--sort", "height").code == 2


def test_adding_a_likely_duplicate_asks_for_force(demo):
    """`crm customer add` made an exact duplicate without a word; now what `crm check --duplicates`
    would flag is refused, naming the party already there, unless --force."""
    before = demo.files("customers")
    same_name = demo("customer", "add", "深圳市华强电子有限公司")
    assert same_name.code == 1 and "customers/huaqiang-dianzi" in same_name.err and "--force" in same_name.err
    same_email = demo("customer", "add", "Totally Other Name", "--email", "purchasing@huaqiang.example")
    assert same_email.code == 1 and "same email" in same_email.err
    same_supplier = demo("supplier", "add", "东莞市精联线缆有限公司")
    assert same_supplier.code == 1 and "suppliers/jinglian-xianlan" in same_supplier.err
    assert demo.files("customers") == before
    forced = demo("customer", "add", "深圳市华强电子有限公司", "--force")
    assert forced.code == 0, forced.err
    pairs = demo("check", "--duplicates", "--format", "json").json()
    assert {"customers/huaqiang-dianzi", f"customers/{forced.out.strip()}"} in [{p["a"], p["b"]} for p in pairs]
    assert demo("customer", "add", "Brand New Trading Ltd").code == 0


def test_the_duplicate_check_of_an_add_sees_a_hand_edit_at_once(demo):
    """The names and keys an add compares with are kept in the index: a phone or name changed
    by hand a moment before is what the very next add is checked against."""
    path = demo.root / "customers" / "huaqiang-dianzi.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name: 深圳市华强电子有限公司", "name: 华强北方元器件")
                    .replace("'+86 755 8321 6600'", "'+86 755 1234 5678'"), encoding="utf-8")
    assert demo("customer", "add", "深圳市华强电子有限公司").code == 0
    same_phone = demo("customer", "add", "Yet Another Name", "--phone", "0755 1234 5678")
    assert same_phone.code == 1 and "customers/huaqiang-dianzi" in same_phone.err and "same phone" in same_phone.err
    close_name = demo("customer", "add", "华强北方元器件有限公司")
    assert close_name.code == 1 and "customers/huaqiang-dianzi" in close_name.err
