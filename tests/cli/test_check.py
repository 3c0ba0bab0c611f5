"""`crm check` and how read commands live next to broken files."""


def test_the_demo_is_clean(demo):
    result = demo("check")
    assert result.code == 0, result.out + result.err
    assert result.out == "" and "no problems" in result.err


def _break(data, relative, old, new):
    path = data.root / relative
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_problems_are_reported_with_path_and_line(demo):
    _break(demo, "customers/huaqiang-dianzi.yaml", "entity: company", "entity: robot")
    _break(demo, "customers/wangxiaoming.yaml", "id: wangxiaoming", "id: someone-else")
    interaction = demo.files("interactions/2026/11")[0].relative_to(demo.root).as_posix()
    party = demo.read(interaction)["party"]
    _break(demo, interaction, f"party: {party}", "party: customers/ghost")
    result = demo("check")
    assert result.code == 1
    lines = result.out.splitlines()
    assert any(line.startswith("customers/huaqiang-dianzi.yaml:") and "robot" in line for line in lines)
    entity_line = demo.text("customers/huaqiang-dianzi.yaml").splitlines().index("entity: robot") + 1
    assert f"customers/huaqiang-dianzi.yaml:{entity_line}: entity: 'robot' is not one of company, person" in lines
    assert any("customers/wangxiaoming.yaml:1: id 'someone-else' differs" in line for line in lines)
    assert any(line.startswith(interaction) and "customers/ghost" in line for line in lines)
    assert "3 error(s)" in result.err


def test_dates_out_of_order_in_a_hand_edit_are_problems(demo):
    """A schema cannot compare two fields: a contract ending before it starts or a ticket due
    before it was opened, as a hand edit or a pull leaves them, passed `crm check`."""
    _break(demo, "tickets/TK-20260227-Y89A.yaml", "due: 2026-02-28T09:20:00+08:00", "due: 2026-01-28T09:20:00+08:00")
    contract = demo.read("contracts/CT-20261120-M51A.yaml")
    _break(demo, "contracts/CT-20261120-M51A.yaml", f"end: {contract['end']}", "end: 2020-01-01")
    result = demo("check")
    assert result.code == 1
    assert "tickets/TK-20260227-Y89A.yaml:11: due: 2026-01-28 is before opened (2026-02-27)" in result.out.splitlines()
    assert any(line.startswith("contracts/CT-20261120-M51A.yaml:") and line.endswith(
        f"end: 2020-01-01 is before start ({contract['start']})") for line in result.out.splitlines())
    refused = demo("campaign", "add", "Spring fair", "--channel", "event", "--start", "2027-03-01", "--end", "2027-02-01")
    assert refused.code == 1 and "end: 2027-02-01 is before start (2027-03-01)" in refused.err
    listed = demo("ticket", "list", "--format", "json")  # still read: a slip is reported, not hidden
    assert listed.err == "" and "TK-20260227-Y89A" in [ticket["id"] for ticket in listed.json()]


def test_duplicates_and_misfiled_records(demo):
    (demo.root / "customers/hq-copy.yaml").write_text(
        "id: hq-copy\nname: 华强电子有限公司\nemails: [purchasing@huaqiang.example]\n"
        "created: 2026-11-22T10:00:00+08:00\nupdated: 2026-11-22T10:00:00+08:00\n", encoding="utf-8")
    moved = demo.files("interactions/2026/11")[0]
    target = demo.root / "interactions/2026/01" / moved.name
    target.parent.mkdir(exist_ok=True)
    moved.rename(target)
    result = demo("check")
    assert result.code == 1
    duplicate = next(line for line in result.out.splitlines() if "looks like a duplicate" in line)
    assert "hq-copy" in duplicate and "huaqiang-dianzi" in duplicate and ": warning: " in duplicate
    assert f"interactions/2026/01/{moved.name}" in result.out and "wrong folder" in result.out


def test_one_id_twice_a_contact_nobody_is_and_an_order_with_the_wrong_party(demo):
    """What `crm check` finds across records: it asks the index for ids held twice and keeps
    only each party's contact names and roles, so none of it holds every record at 1M."""
    original = demo.files("interactions/2026/11")[0]
    copy = demo.root / "interactions/2026/10" / original.name
    copy.parent.mkdir(exist_ok=True)
    copy.write_bytes(original.read_bytes())
    renamed = demo.root / "interactions/2026/09/IN-20260901-ZZZZ.yaml"
    renamed.parent.mkdir(exist_ok=True)
    renamed.write_bytes(original.read_bytes())  # holds the same id under another name
    orphan = next(path.relative_to(demo.root).as_posix() for path in demo.files("interactions/2026/11")[1:]
                  if "contact" not in demo.read(path.relative_to(demo.root).as_posix()))
    party = demo.read(orphan)["party"]
    _break(demo, orphan, f"party: {party}", f"party: {party}\ncontact: Nobody Atall")
    sale = next(path for path in demo.files("orders") if demo.read(path.relative_to(demo.root).as_posix())["kind"] == "sale")
    sale_path = sale.relative_to(demo.root).as_posix()
    supplier = demo.files("suppliers")[0].relative_to(demo.root).as_posix()[:-5]
    _break(demo, sale_path, f"party: {demo.read(sale_path)['party']}", f"party: {supplier}")
    lines = demo("check").out.splitlines()
    first = copy.relative_to(demo.root).as_posix()  # October's comes first in the order of references
    second = original.relative_to(demo.root).as_posix()
    assert f"{second}: the same id as {first}" in lines
    assert not any(line.startswith(first) and "same id" in line for line in lines)
    assert any(line.startswith("interactions/2026/09/IN-20260901-ZZZZ.yaml:") and "differs from the file name" in line
               for line in lines)
    assert not any(line.startswith("interactions/2026/09/") and "same id" in line for line in lines)
    assert any(line.startswith(f"{orphan}:") and "has no contact 'Nobody Atall'" in line for line in lines)
    assert any(line.startswith(f"{sale_path}:") and "a sale order needs a party in customers/" in line for line in lines)


def test_check_as_json(demo):
    _break(demo, "customers/huaqiang-dianzi.yaml", "entity: company", "entity: robot")
    problems = demo("check", "--format", "json").json()
    assert problems[0]["path"] == "customers/huaqiang-dianzi.yaml" and problems[0]["severity"] == "error"


def test_a_broken_file_is_skipped_with_a_warning_and_the_rest_works(demo):
    path = demo.root / "customers/huaqiang-dianzi.yaml"
    path.write_text("id: huaqiang-dianzi\nname: [unclosed\n", encoding="utf-8")
    listing = demo("customer", "list", "--format", "json")
    assert listing.code == 0
    assert "warning: customers/huaqiang-dianzi.yaml:" in listing.err and "skipped" in listing.err
    assert len(listing.json()) == 16
    assert demo("today").code == 0
    check = demo("check")
    assert check.code == 1 and check.out.startswith("customers/huaqiang-dianzi.yaml:") and "YAML error" in check.out
    assert len(check.out.splitlines()) == 1, "references to the unreadable file are not reported again"


def test_a_bad_crm_yaml_is_reported(demo):
    """Nothing can be checked without valid settings: exit 3, with the line (tests/store/test_config.py)."""
    _break(demo, "crm.yaml", "currency: CNY", "currency: yuan")
    result = demo("check")
    assert (result.code, result.out) == (3, "") and result.err == (
        f"crm: {demo.root}/crm.yaml:4: currency: 'yuan' is not a currency code (ISO 4217, three capitals: CNY, EUR, USD)\n")


def test_missing_data_directory(tmp_path):
    from conftest import run_crm

    result = run_crm("--data-dir", tmp_path / "nowhere", "today")
    assert result.code == 3 and "no such data directory" in result.err and "crm init" in result.err
    plain = tmp_path / "plain"
    plain.mkdir()
    result = run_crm("--data-dir", plain, "customer", "list")
    assert result.code == 3 and "not a crm data directory" in result.err


def test_data_dir_from_the_environment_and_parent_folders(demo, monkeypatch):
    from conftest import run_crm

    monkeypatch.setenv("CRM_DIR", str(demo.root))
    assert run_crm("customer", "list", "--format", "json").code == 0
    monkeypatch.delenv("CRM_DIR")
    monkeypatch.chdir(demo.root / "interactions" / "2026")
    assert len(run_crm("customer", "list", "--format", "json").json()) == 17
