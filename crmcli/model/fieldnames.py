"""The names people give a record's fields, and the field each one means: `crm customer add`'s
option names (`--city`, `--phone`, `--tax-id`), and the column headers of spreadsheets in
English and Chinese (`Company`, `E-mail`, `公司名称`, `手机`). One table, read by `customer
add`, by import mappings (`城市=city`) and by imports without a mapping, which recognise
their headers through it.

A name is compared folded and without spaces, dashes, underscores and dots (`E-mail`,
`email` and `E Mail` are one name); a field's own name (`tax_id`, `payment_terms`) is
always one of its names. A name that maps to a list field (`phone` → `phones`) adds the
cell to that list, so two columns (`电话`, `手机`) may feed one list.
"""

from __future__ import annotations

import re

from crmcli.model.text import fold

SEPARATORS = re.compile(r"[\s\-_.·]+")

Table = dict[str, tuple[str, ...]]
"""Field path → the names that mean it (the first: `customer add`'s option, if it has one)."""

PARTY: Table = {
    "name": ("name", "company", "company name", "customer", "customer name", "supplier", "supplier name",
             "organisation", "organization", "account", "公司名称", "客户名称", "供应商名称", "单位名称", "企业名称",
             "名称", "公司", "客户", "供应商"),
    "entity": ("entity",),
    "lifecycle": ("lifecycle",),
    "industry": ("industry", "sector", "行业", "所属行业"),
    "tags": ("tag", "tags", "标签"),
    "owner": ("owner", "负责人", "业务员"),
    "region": ("region", "区域", "地区", "片区"),
    "addresses[0].street": ("street", "address", "地址", "详细地址", "街道"),
    "addresses[0].city": ("city", "town", "城市", "市"),
    "addresses[0].province": ("province", "state", "省份", "省"),
    "addresses[0].postcode": ("postcode", "zip", "zip code", "postal code", "邮编", "邮政编码"),
    "addresses[0].country": ("country", "国家", "国家地区"),
    "phones": ("phone", "phones", "telephone", "tel", "电话", "联系电话", "座机", "固话"),
    "emails": ("email", "emails", "mail", "e-mail address", "邮箱", "电子邮件", "电子邮箱"),
    "website": ("website", "web", "web site", "homepage", "url", "网站", "网址", "主页"),
    "tax_id": ("tax-id", "tax id", "vat", "vat id", "vat number", "税号", "统一社会信用代码", "纳税人识别号"),
    "payment_terms": ("terms", "payment terms", "付款条件", "账期"),
    "follow_up_every": ("follow-up", "跟进周期"),
    "notes": ("note", "notes", "remarks", "comment", "comments", "备注", "说明"),
    "contacts[0].name": ("contact", "contact person", "联系人", "联系人姓名"),
    "contacts[0].title": ("job title", "position", "职务", "职位"),
    "contacts[0].phones": ("mobile", "cell", "cellphone", "手机", "手机号", "手机号码"),
    "contacts[0].wechat": ("wechat", "weixin", "微信", "微信号"),
}
"""Customers and suppliers. A mobile and a WeChat id belong to a person: the first contact."""

PARTY_NAMED: Table = {"party": ("party", "company", "company name", "customer", "customer name", "supplier",
                                "supplier name", "organisation", "organization", "account", "公司名称", "客户名称",
                                "供应商名称", "单位名称", "企业名称", "公司", "客户", "供应商")}
"""The column naming the party a contact, interaction or order belongs to."""

CONTACT: Table = {
    **PARTY_NAMED,
    "name": ("name", "full name", "contact", "contact person", "姓名", "联系人", "联系人姓名"),
    "title": ("title", "job title", "position", "职务", "职位"),
    "phones": ("phone", "phones", "mobile", "cell", "telephone", "tel", "电话", "手机", "手机号", "联系电话"),
    "emails": ("email", "emails", "mail", "邮箱", "电子邮件", "电子邮箱"),
    "wechat": ("wechat", "weixin", "微信", "微信号"),
    "birthday": ("birthday", "生日"),
    "notes": ("note", "notes", "remarks", "备注", "说明"),
}

INTERACTION: Table = {
    **PARTY_NAMED,
    "contact": ("contact", "contact person", "联系人"),
    "at": ("at", "date", "time", "when", "日期", "时间"),
    "type": ("type", "channel", "类型", "方式"),
    "summary": ("summary", "subject", "摘要", "主题"),
    "body": ("body", "details", "note", "notes", "内容", "详情", "备注"),
    "outcome": ("outcome", "result", "结果"),
    "tags": ("tag", "tags", "标签"),
}

PRODUCT: Table = {
    "id": ("id", "sku", "code", "item number", "编号", "产品编号", "货号", "物料编码"),
    "name": ("name", "product", "product name", "名称", "产品名称", "品名"),
    "price": ("price", "unit price", "单价", "价格"),
    "currency": ("currency", "币种"),
    "unit": ("unit", "单位"),
    "tax_rate": ("tax rate", "vat rate", "税率"),
    "category": ("category", "类别", "分类"),
    "description": ("description", "描述", "规格", "说明"),
    "supplier": ("supplier", "供应商"),
}

ORDER: Table = {
    **PARTY_NAMED,
    "date": ("date", "order date", "日期", "下单日期"),
    "currency": ("currency", "币种"),
    "status": ("status", "状态"),
    "reference": ("reference", "order number", "单号", "订单号", "合同号"),
    "notes": ("note", "notes", "remarks", "备注"),
    "lines.sku": ("sku", "item number", "产品编号", "货号", "物料编码"),
    "lines.description": ("description", "product", "品名", "产品名称", "描述"),
    "lines.quantity": ("quantity", "qty", "数量"),
    "lines.unit_price": ("unit price", "price", "单价"),
    "lines.discount": ("discount", "折扣"),
    "lines.tax_rate": ("tax rate", "税率"),
}
"""Orders: a `lines.` field is a field of the order's line (one row, one line)."""

TABLES: dict[str, Table] = {"customer": PARTY, "supplier": PARTY, "contact": CONTACT, "interaction": INTERACTION,
                            "product": PRODUCT, "order": ORDER, "purchase": ORDER}
"""The table of each kind `crm import` takes."""


def name_key(name: str) -> str:
    """How names are compared: `E-mail`, `e mail` and `EMAIL` are one."""
    return SEPARATORS.sub("", fold(name))


def field_named(table: Table, name: str) -> str | None:
    """The field path `name` means in `table` (a field's own name means itself), or None."""
    key = name_key(name)
    for path, names in table.items():
        if key == name_key(path) or any(key == name_key(other) for other in names):
            return path
    return None


def option_fields(options: dict[str, object], table: Table = PARTY) -> dict[str, object]:
    """`customer add`'s options by name (`city`, `tax-id`) as field path → value, the empty
    ones left out."""
    fields = {}
    for option, value in options.items():
        path = field_named(table, option)
        if path is None:
            raise KeyError(option)
        if value not in (None, "", [], ()):
            fields[path] = value
    return fields
