"""vCards both ways: cards as phones export them, and our cards read back by vobject and by crm."""

from pathlib import Path

import pytest
import vobject

FIXTURES = Path(__file__).parent / "fixtures"


def test_cards_as_an_iphone_exports_them(empty):
    result = empty("--format", "json", "import", "vcard", FIXTURES / "iphone.vcf")
    assert result.code == 0, result.err
    assert result.json()["create"] == 3
    huaqiang = empty.read("customers/huaqiang-dianzi.yaml")
    assert huaqiang["name"] == "深圳市华强电子有限公司" and huaqiang["entity"] == "company"
    assert huaqiang["addresses"] == [{"label": "work", "street": "福田区华强北路1015号", "city": "深圳",
                                      "province": "广东", "postcode": "518031", "country": "CN"}]
    assert huaqiang["contacts"] == [{"name": "张伟", "title": "采购经理",
                                     "phones": ["+86 138 2651 7730", "+86 755 8321 6600"],
                                     "emails": ["zhangwei@huaqiang.example"], "birthday": "11-25",
                                     "notes": "微信 zhangwei_hq，不要在10点前打电话", "primary": True}]
    dupre = empty.read("customers/electro-cables-dupre.yaml")
    assert dupre["contacts"][0]["name"] == "Hélène Dupré" and dupre["contacts"][0]["birthday"] == "1979-04-30"
    assert dupre["addresses"][0]["country"] == "FR"
    person = empty.read("customers/wangxiaoming.yaml")
    assert person["entity"] == "person" and person["name"] == "王小明" and person["phones"] == ["+86 135 1002 8846"]


def test_cards_as_an_android_phone_exports_them_join_their_company(empty):
    assert empty("import", "vcard", FIXTURES / "iphone.vcf").code == 0
    result = empty("--format", "json", "import", "vcard", FIXTURES / "android.vcf", "--kind", "customer")
    assert result.code == 0, result.err
    assert result.json()["create"] == 2
    huaqiang = empty.read("customers/huaqiang-dianzi.yaml")
    assert [c["name"] for c in huaqiang["contacts"]] == ["张伟", "刘洋"]
    assert huaqiang["contacts"][1]["phones"] == ["+86 139 2874 1052"]
    assert empty.read("customers/linxiaowen.yaml")["name"] == "林小文"
    again = empty("--format", "json", "import", "vcard", FIXTURES / "android.vcf").json()
    assert (again["create"], again["unchanged"], again["duplicate"]) == (0, 1, 1)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_export_and_read_back(demo, empty, tmp_path, version):
    result = demo("export", "vcard", "--version", version)
    assert result.code == 0, result.err
    cards = list(vobject.readComponents(result.out))
    assert {card.version.value for card in cards} == {version}
    by_name = {(card.fn.value, card.org.value[0] if "org" in card.contents else None): card for card in cards}
    zhang = by_name["张伟", "深圳市华强电子有限公司"]
    assert (zhang.n.value.family, zhang.n.value.given) == ("张", "伟")
    assert zhang.title.value == "采购经理"
    assert zhang.bday.value == ("1985-11-25" if version == "3.0" else "19851125")
    assert [tel.value for tel in zhang.tel_list] == ["+86 138 2651 7730"]
    assert by_name["王小明", None].n.value.family == "王"
    assert by_name["Hélène Dupré", "Électro-Câbles Dupré SARL"].n.value.family == "Dupré"
    path = tmp_path / "all.vcf"
    path.write_text(result.out, encoding="utf-8")
    assert empty("import", "vcard", path).code == 0
    huaqiang = empty.read("customers/huaqiang-dianzi.yaml")
    original = demo.read("customers/huaqiang-dianzi.yaml")
    assert huaqiang["name"] == original["name"]
    keep = ("name", "title", "phones", "emails", "birthday")
    assert [{k: c[k] for k in keep if k in c} for c in huaqiang["contacts"]] == \
        [{k: c[k] for k in keep if k in c} for c in original["contacts"]]
    assert empty.read("customers/wangxiaoming.yaml")["name"] == "王小明"


def test_export_one_party_redacted_to_a_file(demo, tmp_path):
    target = tmp_path / "huaqiang.vcf"
    result = demo("export", "vcard", "huaqiang", "--redact", "--output", target)
    assert result.code == 0 and result.err.strip() == f"wrote {target}"
    cards = list(vobject.readComponents(target.read_text(encoding="utf-8")))
    assert [card.fn.value for card in cards] == ["张伟", "刘洋"]
    assert cards[0].tel.value == "+** *** **** 7730" and cards[0].email.value == "z***@huaqiang.example"


@pytest.mark.parametrize("content, message", [
    ("name,phone\nAcme,1\n", "crm: list.vcf: not a vCard file (it does not start with BEGIN:VCARD)"),
])
def test_a_file_that_is_not_vcard(empty, tmp_path, content, message):
    (tmp_path / "list.vcf").write_text(content)
    result = empty("import", "vcard", tmp_path / "list.vcf")
    assert result.code == 1 and result.err.strip() == message


def test_a_broken_card_is_rejected_with_its_line(empty, tmp_path):
    text = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Good Person\r\nEND:VCARD\r\n"
            "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:123 456\r\nEND:VCARD\r\n")
    (tmp_path / "cards.vcf").write_text(text)
    result = empty("import", "vcard", tmp_path / "cards.vcf")
    assert result.code == 1
    assert result.err.startswith("crm: cards.vcf: card 2 (line 5): the card has no name (FN or N) (nothing imported")
    assert not empty.files("customers")
    assert empty("import", "vcard", tmp_path / "cards.vcf", "--skip-invalid").code == 0
    assert [p.name for p in empty.files("customers")] == ["good-person.yaml"]


def khard(config: Path, *args: str) -> list[list[str]]:
    """khard, the real address book from PyPI, run on the address book of `config`: its
    tab-separated (--parsable) lines as fields."""
    import os
    import subprocess
    import sys

    program = Path(sys.executable).parent / "khard"
    environment = {**os.environ, "XDG_CONFIG_HOME": str(config)}
    result = subprocess.run([program, *args, "--parsable"], capture_output=True, text=True, env=environment,
                            check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "has no UID" not in result.stderr, result.stderr
    return [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]


def test_every_exported_card_is_in_a_real_khard_address_book(demo, tmp_path):
    """khard refused every card without a UID ("Found no contacts"); now it lists each with
    its name, phones, emails and addresses, Chinese intact after folding."""
    book, config = tmp_path / "book", tmp_path / "config"
    book.mkdir()
    (config / "khard").mkdir(parents=True)
    (config / "khard" / "khard.conf").write_text(
        f"[addressbooks]\n[[crm]]\npath = {book}\n[contact table]\ndisplay = formatted_name\n", encoding="utf-8")
    exported = demo("export", "vcard", "--version", "3.0").out
    cards = [card + "END:VCARD\r\n" for card in exported.split("END:VCARD\r\n") if card.strip()]
    for number, card in enumerate(cards):  # one file per card, as vdirsyncer keeps a CardDAV book
        (book / f"{number:03}.vcf").write_text(card, encoding="utf-8", newline="")
    listed = khard(config, "list")
    assert len(listed) == len(cards) == 40 and len({uid for uid, *_rest in listed}) == 40
    names = {name for _uid, name, _book in listed}
    phones = {(phone, name) for phone, name, _type in khard(config, "phone")}
    emails = {(email, name) for email, name, _type in khard(config, "email")}
    addresses = {address for address, _name, _type in khard(config, "postaddress")}
    for party in demo.files("customers") + demo.files("suppliers"):
        data = demo.read(str(party.relative_to(demo.root)))
        people = data.get("contacts") or [data]
        for person in people:
            assert person["name"] in names
            assert {(phone, person["name"]) for phone in person.get("phones") or []} <= phones
            assert {(email, person["name"]) for email in person.get("emails") or []} <= emails
    assert any("海淀区上地信息路26号中关村创业大厦5层" in address for address in addresses)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_cards_carry_a_stable_uid_wechat_and_lines_of_75_octets(demo, version):
    first, second = (demo("export", "vcard", "--version", version).out for _ in range(2))
    cards = list(vobject.readComponents(first))
    uids = [card.uid.value for card in cards]
    assert len(set(uids)) == len(cards) == 40
    assert uids == [card.uid.value for card in vobject.readComponents(second)]
    zhang = next(card for card in cards if card.fn.value == "张伟" and card.org.value[0].startswith("深圳"))
    assert zhang.x_wechat.value == "zhangwei_hq"
    assert (zhang.impp.value, zhang.impp.params["X-SERVICE-TYPE"]) == ("weixin:zhangwei_hq", ["WeChat"])
    long_lines = [line for line in first.encode().split(b"\r\n") if len(line) > 75]
    assert not long_lines, long_lines[:2]


def test_android_vcard_21_with_quoted_printable_soft_breaks_and_charsets(empty):
    """Long Chinese values are broken over lines with a trailing `=`; vobject read none of them."""
    result = empty("--format", "json", "import", "vcard", FIXTURES / "android-qp.vcf")
    assert result.code == 0, result.err
    company = empty.read("customers/ouyang-jingmi-dianzi-keji.yaml")
    assert company["name"] == "深圳市欧阳精密电子科技有限公司"
    assert company["addresses"] == [{"label": "work", "street": "广东省深圳市南山区科技园南区高新南七道99号深圳软件产业基地4栋B座11楼",
                                     "city": "深圳", "province": "广东", "postcode": "518057", "country": "CN"}]
    ouyang = company["contacts"][0]
    assert (ouyang["name"], ouyang["title"], ouyang["im"]) == ("欧阳建国", "总经理", {"qq": "20261122"})
    assert ouyang["notes"] == "2025年广交会认识。\n只接受微信联系。"
    assert empty.read("customers/sima-xiaoyan.yaml")["name"] == "司马晓燕"  # CHARSET=GB2312


def test_apple_company_card_is_the_company_and_its_people_join_it(empty):
    """X-ABShowAs:COMPANY made a contact named after the company, holding its phone and email."""
    result = empty("--format", "json", "import", "vcard", FIXTURES / "apple.vcf")
    assert result.code == 0, result.err
    [path] = empty.files("customers")
    company = empty.read(str(path.relative_to(empty.root)))
    assert company["name"] == "深圳市创新电缆有限公司" and company["entity"] == "company"
    assert (company["phones"], company["emails"]) == (["+86 755 2601 8800"], ["sales@chuangxin-cable.example"])
    assert company["website"] == "https://chuangxin-cable.example"
    assert company["tags"] == ["canton-fair", "cable"] and company["addresses"][0]["country"] == "CN"
    [chen] = company["contacts"]
    assert (chen["name"], chen["wechat"], chen["im"], chen["birthday"]) == ("陈静", "chenjing_cx", {"qq": "88776655"},
                                                                           "03-08")
    assert chen["external_ids"] == {"vcard": "0C7E0D94-5D36-4B0A-8F6B-8A0C6E1B2222"}


@pytest.mark.parametrize(("fixture", "party", "country", "tags"), [
    ("google.vcf", "customers/rheinkabel.yaml", "DE", ["canton-fair"]),  # Deutschland, a category with a space
    ("outlook.vcf", "customers/lone-star-robotics.yaml", "US", None),  # U.S.A.
    ("nextcloud-4.vcf", "customers/nordlicht-kabel.yaml", "SE", None),  # Sverige, KIND:org
])
def test_google_outlook_and_vcard_4_forms(empty, fixture, party, country, tags):
    result = empty("--format", "json", "import", "vcard", FIXTURES / fixture)
    assert result.code == 0, result.err
    data = empty.read(party)
    assert data["addresses"][0]["country"] == country and data.get("tags") == tags
    assert len(data["contacts"]) == 1 and data["contacts"][0]["name"] not in (data["name"],)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_company_card_exported_by_crm_comes_back_as_the_company(empty, tmp_path, version):
    """crm's own card of a company without contacts came back as a contact of itself."""
    from conftest import DataDir, run_crm

    assert empty("customer", "add", "宁波海天塑机有限公司", "--phone", "+86 574 8618 2000", "--email",
                 "sales@haitian.example", "--city", "宁波", "--country", "CN", "--tag", "machinery").code == 0
    path = tmp_path / "company.vcf"
    path.write_text(empty("export", "vcard", "--version", version).out, encoding="utf-8")
    other = DataDir(tmp_path / "other")
    assert run_crm("init", other.root, "--no-git", "--name", "Other", "--me", "li").code == 0
    assert other("import", "vcard", path).code == 0
    [again] = [other.read(str(p.relative_to(other.root))) for p in other.files("customers")]
    assert again["name"] == "宁波海天塑机有限公司" and again.get("entity") == "company" and not again.get("contacts")
    assert (again["phones"], again["emails"], again["tags"]) == (["+86 574 8618 2000"], ["sales@haitian.example"],
                                                                 ["machinery"])
    assert other("--format", "json", "import", "vcard", path).json()["unchanged"] == 1


def test_a_category_with_a_space_is_a_tag_not_a_rejection(empty, tmp_path):
    (tmp_path / "fair.vcf").write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Li Na\r\nN:Li;Na;;;\r\n"
                                       "CATEGORIES:Canton Fair,VIP\r\nEND:VCARD\r\n", encoding="utf-8")
    result = empty("import", "vcard", tmp_path / "fair.vcf")
    assert result.code == 0, result.err
    assert empty.read("customers/li-na.yaml")["tags"] == ["canton-fair", "vip"]


def test_map_reads_card_properties_into_fields_as_for_csv(empty, tmp_path):
    """`import vcard` had no --map: properties only one address book writes were lost."""
    (tmp_path / "crm-app.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:黄磊\r\nN:黄;磊;;;\r\nORG:东莞市宏达五金制品有限公司\r\n"
        "TEL;TYPE=CELL:+86 137 1234 5678\r\nX-DINGTALK:huanglei_hd\r\nX-INDUSTRY:hardware\r\n"
        "X-CUSTOMER-STATUS:潜在\r\nEND:VCARD\r\n", encoding="utf-8")
    (tmp_path / "map.yaml").write_text(
        "columns:\n  X-DINGTALK: contacts[0].im.dingtalk\n  X-INDUSTRY: industry\n"
        "  X-CUSTOMER-STATUS: {field: lifecycle, values: {潜在: prospect, 成交: customer}}\n", encoding="utf-8")
    result = empty("import", "vcard", tmp_path / "crm-app.vcf", "--map", tmp_path / "map.yaml")
    assert result.code == 0, result.err
    [path] = empty.files("customers")
    company = empty.read(str(path.relative_to(empty.root)))
    assert (company["industry"], company["lifecycle"]) == ("hardware", "prospect")
    assert company["contacts"][0]["im"] == {"dingtalk": "huanglei_hd"}
    wrong = empty("import", "vcard", tmp_path / "crm-app.vcf", "--map", "X-INDUSTRY=industri")
    assert wrong.code == 1 and "unknown field 'industri'" in wrong.err
