"""Contracts: rendered from templates in a sandbox, moved through their life, scans attached."""

import hashlib

import pytest

TEMPLATE = """# Supply agreement {{ contract.title }}

Between {{ business.name }} and {{ party.name }} ({{ party.addresses[0].city }}).
Value: {{ contract.value }} {{ contract.currency }}, from {{ contract.start }} to {{ contract.end }}.
Signed on {{ today }}.
"""


@pytest.fixture
def office(empty):
    empty("customer", "add", "深圳市华强电子有限公司", "--city", "深圳")
    (empty.root / "templates").mkdir(exist_ok=True)
    (empty.root / "templates" / "supply.md").write_text(TEMPLATE, encoding="utf-8")
    return empty


def test_a_contract_is_rendered_from_its_template(office):
    result = office("contract", "new", "huaqiang", "--template", "supply", "--title", "2027 cables",
                    "--value", "1200000", "--start", "2027-01-01", "--end", "2027-12-31", "--notice-days", "60")
    assert result.code == 0, result.err
    contract_id = result.out.strip()
    record = office.read(f"contracts/{contract_id}.yaml")
    assert record["status"] == "draft" and record["document"] == f"contracts/{contract_id}.md"
    assert str(record["value"]) == "1200000.00" and record["currency"] == "CNY"
    assert record["renewal_notice_days"] == 60 and record["auto_renew"] is False
    document = (office.root / record["document"]).read_text(encoding="utf-8")
    assert "Between Test Co and 深圳市华强电子有限公司 (深圳)." in document
    assert "Value: 1200000.00 CNY, from 2027-01-01 to 2027-12-31." in document
    assert office("check").code == 0


def test_an_unknown_placeholder_is_named_and_nothing_is_written(office):
    (office.root / "templates" / "bad.md").write_text("Dear {{ party.nickname }}\n", encoding="utf-8")
    result = office("contract", "new", "huaqiang", "--template", "bad")
    assert result.code == 1 and "nickname" in result.err and "templates/bad.md" in result.err
    assert not (office.root / "contracts").exists() or office.files("contracts") == []


@pytest.mark.parametrize("template, message", [
    ("{% include '../../crm.yaml' %}", "template"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "not allowed"),
    ("{{ party.name", "syntax"),
])
def test_templates_cannot_escape(office, template, message):
    (office.root / "templates" / "evil.md").write_text(template, encoding="utf-8")
    result = office("contract", "new", "huaqiang", "--template", "evil")
    assert result.code == 1 and message in result.err, result.err
    assert "Traceback" not in result.err


def test_missing_template_lists_the_known_ones(office):
    result = office("contract", "new", "huaqiang", "--template", "nope")
    assert result.code == 1 and "supply" in result.err


def test_life_of_a_contract_and_its_refusals(office):
    contract_id = office("contract", "new", "huaqiang", "-t", "supply", "--value", "10",
                         "--start", "2027-01-01", "--end", "2027-12-31").out.strip()
    refused = office("contract", "activate", contract_id)
    assert refused.code == 1 and "allowed: review, terminated" in refused.err
    for move in ("review", "sign", "activate", "expire"):
        assert office("contract", move, contract_id, "--date", "2026-11-20").code == 0, move
    record = office.read(f"contracts/{contract_id}.yaml")
    assert [h["status"] for h in record["history"]] == ["draft", "review", "signed", "active", "expired"]
    assert record["signed"] == "2026-11-20"
    assert office("contract", "terminate", contract_id).code == 1


def test_bad_contract_values(office):
    assert office("contract", "new", "huaqiang", "-t", "supply", "--value", "ten").code == 1
    assert office("contract", "new", "huaqiang", "-t", "supply", "--start", "2027-02-01",
                  "--end", "2027-01-01").code == 1
    assert office("contract", "new", "huaqiang", "-t", "supply", "--currency", "XYZ", "--value", "1").code == 1


def test_attachments_are_hashed_and_checked(office, tmp_path):
    contract_id = office("contract", "new", "huaqiang", "-t", "supply", "--value", "1", "--start", "2027-01-01",
                         "--end", "2027-06-30").out.strip()
    scan = tmp_path / "signed scan.pdf"
    scan.write_bytes(b"%PDF-1.4 signed")
    assert office("contract", "attach", contract_id, scan).code == 0
    record = office.read(f"contracts/{contract_id}.yaml")
    attached = record["attachments"][0]
    assert attached["path"] == f"attachments/{contract_id}/signed scan.pdf"
    assert attached["sha256"] == hashlib.sha256(b"%PDF-1.4 signed").hexdigest()
    assert (office.root / attached["path"]).read_bytes() == b"%PDF-1.4 signed"
    assert office("check").code == 0
    (office.root / attached["path"]).write_bytes(b"tampered")
    changed = office("check")
    assert changed.code == 1 and "has changed since it was attached" in changed.out
    (office.root / attached["path"]).unlink()
    missing = office("check")
    assert missing.code == 1 and "is missing" in missing.out
    assert office("contract", "attach", contract_id, tmp_path / "nope.pdf").code == 1


def test_contract_list_marks_those_ending_soon(demo):
    rows = demo("contract", "list", "--format", "json").json()
    assert len(rows) >= 5
    soon = [c for c in rows if c["status"] == "active" and "2026-11-22" <= c["end"] <= "2026-12-22"]
    assert soon, "the demo has a contract ending within 30 days"
    assert "days" in demo("contract", "list", "--format", "plain").out


class TestTermsRenewalAndArchive:
    """draft → review → signed → active → expired/renewed → archived; `contract renew`; an
    auto-renewing contract rolls its term on its end date and its reminder moves with it."""

    @staticmethod
    def signed(office, *extra, start="2025-11-11", end="2026-11-10"):
        result = office("contract", "new", "huaqiang", "--template", "supply", "--value", "1000", "--start", start,
                        "--end", end, "--notice-days", "30", *extra)
        assert result.code == 0, result.err
        contract_id = result.out.strip()
        for move in ("review", "sign", "activate"):
            assert office("contract", move, contract_id).code == 0
        return contract_id

    def test_an_auto_renewing_contract_rolls_on_and_its_reminder_moves(self, office):
        contract_id = self.signed(office, "--auto-renew")
        [row] = office("contract", "list", "--format", "json").json()
        assert (row["start"], row["end"], row["renewed_by_itself"]) == ("2026-11-11", "2027-11-10", 1)
        listed = office("contract", "list", "--format", "plain").out
        assert "ended" not in listed and "353 days" in listed
        due = office("remind", "due", "--within", "1y", "--format", "json").json()
        [renewal] = [i for bucket in due.values() if isinstance(bucket, list) for i in bucket
                     if i.get("rule") == "renewals"]
        assert renewal["due"] == "2027-10-11" and "ends 2027-11-10" in renewal["reason"]
        assert office.read(f"contracts/{contract_id}.yaml")["end"] == "2026-11-10"  # the file says what was signed

    def test_renew_drafts_the_next_term_linked_to_the_old(self, office):
        old = self.signed(office)
        renewal = office("contract", "renew", old)
        assert renewal.code == 0, renewal.err
        new = renewal.out.strip()
        record = office.read(f"contracts/{new}.yaml")
        assert (record["start"], record["end"], record["status"]) == ("2026-11-11", "2027-11-10", "draft")
        assert record["renews"] == f"contracts/{old}" and str(record["value"]) == "1000.00"
        previous = office.read(f"contracts/{old}.yaml")
        assert previous["status"] == "renewed" and previous["renewed_by"] == f"contracts/{new}"
        assert office("contract", "renew", old).code == 1  # renewed once
        assert office("check").code == 0

    def test_archive_keeps_the_record_and_its_scan_read_only(self, office, tmp_path):
        contract_id = self.signed(office)
        scan = tmp_path / "signed.pdf"
        scan.write_bytes(b"%PDF-1.4 signed")
        assert office("contract", "attach", contract_id, scan).code == 0
        assert office("contract", "archive", contract_id).code == 1  # still active
        assert office("contract", "expire", contract_id).code == 0
        assert office("contract", "archive", contract_id).code == 0
        record = office.read(f"contracts/{contract_id}.yaml")
        assert record["status"] == "archived" and record["attachments"][0]["path"].endswith("signed.pdf")
        stored = office.root / record["attachments"][0]["path"]
        assert stored.read_bytes() == b"%PDF-1.4 signed" and not stored.stat().st_mode & 0o222
        refused = office("contract", "attach", contract_id, scan)
        assert refused.code == 1 and "archived" in refused.err
        assert office("contract", "activate", contract_id).code == 1
        assert office("check").code == 0
