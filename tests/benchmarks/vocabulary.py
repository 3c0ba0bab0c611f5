"""Word pools for the benchmark data: a cable-and-components trading firm, in Chinese and English.

Faker supplies people's names, streets and US cities; what Faker cannot know — what
such a firm writes in its call notes — lives here. English texts use `price` and
`quote` often, so the benchmark has a common word to search for. Nothing here may
contain the rare words that generate.py plants exactly once (see RARE_WORDS there).
"""

# industry value → (Chinese trade word in a company name, English trade word), weight
INDUSTRIES = {
    "electronics": ("电子", "Electronics", 30),
    "制造": ("精密制造", "Manufacturing", 20),
    "automotive": ("汽车配件", "Auto Parts", 12),
    "energy": ("新能源", "Energy", 10),
    "telecom": ("通信", "Telecom", 8),
    "logistics": ("物流", "Logistics", 6),
    "retail": ("商贸", "Trading", 8),
    "consulting": ("咨询", "Consulting", 6),
}

# Chinese cities: (city, region, landline area code, postcode prefix)
ZH_CITIES = [
    ("深圳", "华南", "755", "518"), ("广州", "华南", "20", "510"), ("东莞", "华南", "769", "523"),
    ("佛山", "华南", "757", "528"), ("厦门", "华南", "592", "361"), ("上海", "华东", "21", "200"),
    ("苏州", "华东", "512", "215"), ("宁波", "华东", "574", "315"), ("杭州", "华东", "571", "310"),
    ("南京", "华东", "25", "210"), ("北京", "华北", "10", "100"), ("天津", "华北", "22", "300"),
    ("青岛", "华北", "532", "266"), ("武汉", "华中", "27", "430"), ("成都", "西南", "28", "610"),
    ("重庆", "西南", "23", "400"),
]

# Two characters of these make a plausible trading name (华强, 恒信…), beside Faker's own prefixes.
BRAND_CHARS = "华强鸿达盛泰嘉信瑞丰明海通创芯联精宏兴远恒昌德源新博汇金永安富益隆佳润晶科捷航利宇"

EN_LEGAL = ["Inc.", "LLC", "Ltd", "Corp.", "Co."]
MOBILE_PREFIXES = ["130", "133", "135", "136", "137", "138", "139", "150", "155", "158", "166", "177", "186", "189"]

OWNERS_ZH = ["li", "wang", "chen"]
OWNERS_EN = ["emma", "james"]
PARTY_TAGS_ZH = ["cable", "oem", "distributor", "key-account", "new", "export", "华南", "长期"]
PARTY_TAGS_EN = ["us", "oem", "distributor", "key-account", "new", "eu", "cable", "ddp"]
PAYMENT_TERMS = ["net 30", "net 30", "net 60", "net 15", "prepaid", "30 days end of month"]
FOLLOW_UP = ["14d", "2w", "30d", "1m", "3m"]

ZH_TITLES = ["采购经理", "采购员", "总经理", "销售经理", "硬件工程师", "财务", "跟单员", "研发经理", "品质主管", "厂长"]
EN_TITLES = ["Procurement Lead", "Buyer", "CEO", "Account Manager", "Hardware Engineer", "Controller",
             "Operations Manager", "Quality Manager", "Sales Director", "Supply Chain Analyst"]
ZH_CONTACT_NOTES = ["喜欢用微信联系。", "上午10点前不要打电话。", "负责年度采购框架。", "英文很好，可以发英文邮件。"]
EN_CONTACT_NOTES = ["Prefers email; replies within a day.", "Best reached before noon.",
                    "Signs off orders above 10k.", "Speaks Mandarin and English."]
ZH_PARTY_NOTES = ["广交会认识，价格敏感，但付款准时。", "年用量稳定，主要采购线缆和连接器。",
                  "对交期要求高，每月对账。", "老客户介绍，决策慢。", "付款常拖延，注意信用额度。",
                  "铜价波动时每月调价。"]
EN_PARTY_NOTES = ["Met at the Canton Fair. Price-sensitive but pays on time.",
                  "Buys cable assemblies for their own products; steady volumes.",
                  "Watch tariffs: they pay DDP, we quote FOB Shenzhen.",
                  "Slow to decide; always asks for a second quote.",
                  "Pays late now and then; keep the credit limit low."]

# products: (sku prefix, category, Chinese category word, unit, name template, sizes, price range in CNY)
PRODUCT_TYPES = [
    ("CAB", "cable", "线缆", "reel", "Shielded copper cable {n} mm², 100 m reel", (0.5, 0.75, 1.5, 2.5), (400, 2500)),
    ("CAB", "cable", "线缆", "reel", "H07RN-F rubber cable 3G{n}, 100 m reel", (1.5, 2.5, 4), (900, 3200)),
    ("CAB", "cable", "线缆", "pcs", "USB-C cable {n} m", (0.5, 1, 2), (6, 30)),
    ("CAB", "cable", "线缆", "pcs", "HDMI 2.1 cable {n} m", (1, 2, 3, 5), (15, 80)),
    ("CON", "connector", "连接器", "pcs", "M12 connector, {n}-pin", (4, 5, 8, 12), (8, 60)),
    ("CON", "connector", "连接器", "pcs", "Board-to-board connector, {n} pins", (20, 40, 60, 80), (1, 12)),
    ("HAR", "harness", "线束", "pcs", "Servo harness, {n} cm", (30, 50, 100, 150), (15, 120)),
    ("HAR", "harness", "线束", "pcs", "Battery harness, {n} cm", (20, 40, 60), (10, 90)),
    ("TRM", "terminal", "端子", "pcs", "Crimp terminal {n} A", (5, 10, 16, 25), (0.05, 1)),
    ("PSU", "power supply", "电源", "pcs", "DIN-rail power supply 24 V {n} W", (60, 120, 240, 480), (90, 900)),
    ("SEN", "sensor", "传感器", "pcs", "Inductive proximity sensor M{n}", (8, 12, 18, 30), (25, 260)),
    ("SEN", "sensor", "传感器", "pcs", "Temperature sensor {n}", ("PT100", "PT1000", "NTC 10k"), (15, 180)),
]

INTERACTION_TYPES = {"call": 32, "email": 43, "meeting": 9, "message": 7, "visit": 8, "note": 1}

# (summary, tag): the tag says what the contact was about
EN_SUMMARIES = [
    ("Price update for {product}", "pricing"), ("Sent the quote for {qty} pcs of {sku}", "quote"),
    ("Follow-up on our quote for {product}", "quote"), ("Asked for a better price on {sku}", "pricing"),
    ("Delivery schedule for the {month} shipment", "shipping"), ("Samples of {sku} received", "sample"),
    ("Complaint about the late shipment", "complaint"), ("Payment reminder for invoice {inv}", "payment"),
    ("Intro call about {product}", "new"), ("Framework agreement {year}: price and volumes", "pricing"),
    ("Quality issue on the last batch of {sku}", "complaint"), ("Met them at the trade fair", "visit"),
    ("Monthly check-in", "review"), ("Forecast for {year}", "forecast"),
    ("Request for quote: {product}", "rfq"), ("Packaging and labelling questions", "shipping"),
]
EN_BODIES = [
    "They accept the price of {price} per unit if we hold it until {month}.",
    "Wants a quote for {qty} pcs, delivery before {month}.",
    "Asked for {pct}% off the list price for volumes over {qty} pcs.",
    "Confirmed the delivery date; shipping by sea from Shenzhen.",
    "The last shipment was {days} days late. Promised a credit note.",
    "Sent samples of {sku} by courier; tracking number shared by email.",
    "Their engineer needs the datasheet and test report for {sku}.",
    "A competitor quoted {pct}% lower; we will revise our quote.",
    "Payment of invoice {inv} expected next week.",
    "Volume for {year} expected to grow about {pct}%.",
    "Discussed a new project with {contact}; decision expected in {month}.",
    "Needs RoHS and REACH certificates before the first order.",
    "Agreed to split the order into two shipments.",
    "Copper keeps moving: prices will be reviewed every quarter.",
]
ZH_SUMMARIES = [
    ("{product}报价已发出", "quote"), ("讨论{year}年框架协议价格", "pricing"), ("催收{month}月货款", "payment"),
    ("客户反馈{sku}质量问题", "complaint"), ("确认{month}月交期", "shipping"), ("寄送{sku}样品", "sample"),
    ("拜访客户，介绍新产品线", "visit"), ("询价：{product}", "rfq"), ("价格调整通知", "pricing"),
    ("年度回顾会议", "review"), ("展会上见面", "visit"), ("讨论包装和标签要求", "shipping"),
    ("跟进报价反馈", "quote"), ("投诉交货延迟", "complaint"),
]
ZH_BODIES = [
    "客户要求{sku}单价降低{pct}%，用量{qty}件以上。", "{contact}说下周内部讨论报价。", "预计{year}年用量增加约{pct}%。",
    "铜价上涨，线缆单价上调{pct}%。", "样品已寄出，快递单号已微信发送。", "质量问题已确认，安排补发{qty}件。",
    "付款延迟，答应{month}月底前付清。", "要求提供RoHS和REACH报告。", "新项目需要{product}，下月出样。",
    "交期确认，海运到港后通知。",
]
EN_NEXT = ["Send the revised quote", "Call back about the price", "Ship samples of {sku}", "Send the datasheet",
           "Chase payment of invoice {inv}", "Confirm the delivery date", "Prepare the framework agreement",
           "Visit the factory"]
ZH_NEXT = ["发送修改后的报价", "跟进报价反馈", "寄送{sku}样品", "确认交期", "催收货款", "准备框架协议", "安排工厂审核"]
