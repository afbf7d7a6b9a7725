"""Vietnamese administrative forms of a land-use right transfer dossier.

Builds page layouts (see :mod:`tools.gen.layout`) for the components of an
"đăng ký biến động, chuyển nhượng quyền sử dụng đất" dossier, filled with a
random but realistic :class:`Dossier` (names with đ/Đ and all tones, CCCD
numbers, Long An addresses, parcel data, dates dd/mm/yyyy):

* ``TP1`` application form Mẫu 09/ĐK (2 pages, A4),
* ``TP2`` notarised transfer contract (3 pages of articles, A4),
* ``TP3`` land-use right certificate (GCN) page (1 page, A4),
* ``TP4`` copy of both parties' identity cards (1 page, A4),
* the receipt Mẫu 01 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả, A5) with a
  QR code at the top left whose payload carries the dossier code.

Form fields are text runs tagged with a field name, so their boxes are known.
All randomness comes from the ``random.Random`` passed in.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .layout import A4, A5, Box, Line, Page, QrCode, Text, string_width_mm

# --------------------------------------------------------------------------
# Pools of realistic values.

SURNAMES = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lâm", "Đoàn",
]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành", "Công", "Tấn", "Phước", "Đình"]
MIDDLE_F = ["Thị", "Ngọc", "Thanh", "Kim", "Mỹ", "Thùy", "Bích", "Diễm", "Hồng", "Tuyết"]
GIVEN_M = [
    "Đức", "Hùng", "Dũng", "Phúc", "Tuấn", "Hải", "Quý", "Lộc", "Trí", "Nghĩa",
    "Khánh", "Đạt", "Cường", "Bình", "Sơn", "Hiếu", "Lực", "Thắng", "Tường", "Định",
]
GIVEN_F = [
    "Hương", "Lan", "Nga", "Thảo", "Tâm", "Thủy", "Hằng", "Yến", "Nhung", "Huệ",
    "Ánh", "Ngân", "Trinh", "Loan", "Diệu", "Phượng", "Quỳnh", "Nguyệt", "Đào", "Mỹ",
]

# Long An before 2025: district -> communes, and hamlets (ấp).
DISTRICTS = {
    "huyện Bến Lức": ["xã Mỹ Yên", "xã Thạnh Đức", "xã Lương Bình", "xã Nhựt Chánh", "xã Phước Lợi"],
    "huyện Đức Hòa": ["xã Đức Lập Hạ", "xã Hựu Thạnh", "xã Mỹ Hạnh Nam", "xã Đức Hòa Đông"],
    "huyện Cần Giuộc": ["xã Phước Lý", "xã Long Thượng", "xã Mỹ Lộc", "xã Trường Bình"],
    "huyện Cần Đước": ["xã Long Hựu Đông", "xã Tân Trạch", "xã Phước Đông", "xã Mỹ Lệ"],
    "huyện Thủ Thừa": ["xã Mỹ Phú", "xã Nhị Thành", "xã Bình Thạnh", "xã Tân Thành"],
    "huyện Châu Thành": ["xã Thanh Phú Long", "xã Hòa Phú", "xã Vĩnh Công", "xã Phước Tân Hưng"],
}
HAMLETS = [
    "ấp Bình Hòa", "ấp 3", "ấp Voi Lá", "ấp Chợ", "ấp Mới 1", "ấp Bình Tiền", "ấp Phước Hậu",
    "ấp Rạch Đào", "ấp Tân Hòa", "ấp Đình", "ấp Long Khê", "ấp Cầu Đồn", "ấp Bà Đệ",
]
STREETS = [
    "đường Nguyễn Huệ", "đường Hùng Vương", "đường Trương Định", "đường Võ Văn Tần",
    "đường Hoàng Hoa Thám", "đường Châu Thị Kim", "đường Nguyễn Đình Chiểu", "đường Lê Lợi",
]
WARDS = ["phường 1", "phường 2", "phường 3", "phường 4", "phường 6", "phường Tân Khánh", "phường Khánh Hậu"]
PURPOSES = ["Đất ở tại nông thôn", "Đất trồng cây lâu năm", "Đất trồng lúa", "Đất nuôi trồng thủy sản"]
ORIGINS = [
    "Nhà nước công nhận quyền sử dụng đất như giao đất có thu tiền sử dụng đất",
    "Nhận chuyển nhượng đất được công nhận quyền sử dụng đất",
    "Nhận thừa kế quyền sử dụng đất",
    "Được tặng cho quyền sử dụng đất",
]
NOTARIES = [
    "Văn phòng công chứng Bến Lức", "Văn phòng công chứng Trần Thị Hồng Diễm",
    "Phòng Công chứng số 1 tỉnh Long An", "Văn phòng công chứng Đức Hòa",
]
OFFICERS = ["Lê Thị Mỹ Duyên", "Trần Quốc Huy", "Nguyễn Thị Bích Ngọc", "Phạm Đức Toàn", "Võ Thị Hồng Nhung"]

# Agency code prefix used in the fixtures; province letters are illustrative (domain.md).
AGENCY = "000.00.38.H38"
PROCEDURE = "1.004227"


# --------------------------------------------------------------------------
# Numbers in Vietnamese words (for "bằng chữ").

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _three(n: int, full: bool) -> str:
    h, rest = divmod(n, 100)
    t, u = divmod(rest, 10)
    parts: list[str] = []
    if h or full:
        parts += [_DIGITS[h], "trăm"]
    if t == 0:
        if u:
            if h or full:
                parts.append("lẻ")
            parts.append(_DIGITS[u])
    elif t == 1:
        parts.append("mười")
        if u:
            parts.append("lăm" if u == 5 else _DIGITS[u])
    else:
        parts += [_DIGITS[t], "mươi"]
        if u == 1:
            parts.append("mốt")
        elif u == 5:
            parts.append("lăm")
        elif u == 4:
            parts.append("tư")
        elif u:
            parts.append(_DIGITS[u])
    return " ".join(parts)


def number_words(n: int) -> str:
    """Vietnamese words for a non-negative integer, e.g. 120 -> "một trăm hai mươi"."""
    if n == 0:
        return "không"
    units = ["", "nghìn", "triệu", "tỷ"]
    groups = []
    while n:
        n, g = divmod(n, 1000)
        groups.append(g)
    words: list[str] = []
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            continue
        full = i < len(groups) - 1
        words.append(_three(g, full))
        if units[i]:
            words.append(units[i])
    return " ".join(words)


def area_words(area: str) -> str:
    whole, _, frac = area.partition(",")
    s = number_words(int(whole))
    if frac:
        s += " phẩy " + " ".join(_DIGITS[int(d)] for d in frac)
    return s + " mét vuông"


def money(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# --------------------------------------------------------------------------
# The dossier.


@dataclass
class Person:
    title: str  # "Ông" / "Bà"
    name: str
    birth: date
    cccd: str
    cccd_date: date
    address: str
    origin: str


@dataclass
class Parcel:
    thua: str
    to_ban_do: str
    area: str  # "120,5"
    address: str
    purpose: str
    origin: str
    gcn_serial: str
    gcn_book: str
    gcn_date: date
    sides: list[str]  # edge lengths for the sketch, e.g. "12,35"


@dataclass
class Dossier:
    code: str
    procedure: str
    receipt_no: str
    received: datetime
    due: date
    seller: Person
    buyer: Person
    parcel: Parcel
    price: int
    notary: str
    notary_no: str
    officer: str
    phone: str
    contract_date: date
    articles: list[int]  # indexes into ARTICLES, in order


def dmy(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def person_name(rng: random.Random, female: bool) -> str:
    sur = rng.choice(SURNAMES)
    pool = MIDDLE_F if female else MIDDLE_M
    mid = rng.choice(pool)
    given = rng.choice(GIVEN_F if female else GIVEN_M)
    if rng.random() < 0.25:  # two middle names: "Thị Ngọc", "Hữu Minh"
        rest = [m for m in pool if m not in ("Thị", "Văn")]
        if female:
            mid = f"Thị {rng.choice(rest)}"
        else:
            a, b = rng.sample(rest, 2)
            mid = f"{a} {b}"
    return f"{sur} {mid} {given}"


def rural_address(rng: random.Random) -> str:
    district = rng.choice(list(DISTRICTS))
    commune = rng.choice(DISTRICTS[district])
    return f"{rng.choice(HAMLETS)}, {commune}, {district}, tỉnh Long An"


def street_address(rng: random.Random) -> str:
    return f"số {rng.randint(2, 298)} {rng.choice(STREETS)}, {rng.choice(WARDS)}, thành phố Tân An, tỉnh Long An"


def make_person(rng: random.Random, received: date) -> Person:
    female = rng.random() < 0.45
    birth = date(rng.randint(1950, 1998), rng.randint(1, 12), rng.randint(1, 28))
    # CCCD: 3-digit province (080 = Long An), gender/century digit, 2-digit year, 6 random.
    century = 1 if birth.year < 2000 else 3
    gd = century - 1 + (1 if female else 0)
    cccd = f"080{gd}{birth.year % 100:02d}{rng.randint(0, 999999):06d}"
    issued = received - timedelta(days=rng.randint(200, 1500))
    addr = rural_address(rng) if rng.random() < 0.6 else street_address(rng)
    origin = rural_address(rng).split(", ", 1)[1]
    return Person("Bà" if female else "Ông", person_name(rng, female), birth, cccd, issued, addr, origin)


def dossier_code(received: datetime, seq: int, agency: str = AGENCY) -> str:
    return f"{agency}-{received:%y%m%d}-{seq:04d}"


def add_working_days(d: date, n: int) -> date:
    while n > 0:
        d += timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


def make_dossier(rng: random.Random, received: datetime | None = None, seq: int | None = None, area: str | None = None,
                 thua: str | None = None) -> Dossier:
    if received is None:
        day = date(2022, 1, 3) + timedelta(days=rng.randint(0, 330))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        received = datetime(day.year, day.month, day.day, rng.randint(7, 16), rng.randint(0, 59), rng.randint(0, 59))
    if seq is None:
        seq = rng.randint(1, 60)
    code = dossier_code(received, seq)
    seller = make_person(rng, received.date())
    buyer = make_person(rng, received.date())
    if area is None:
        area = f"{rng.randint(48, 2400)},{rng.randint(1, 9)}"
    parcel = Parcel(
        thua=thua or str(rng.randint(12, 1890)),
        to_ban_do=str(rng.randint(1, 48)),
        area=area,
        address=rural_address(rng),
        purpose=rng.choice(PURPOSES),
        origin=rng.choice(ORIGINS),
        gcn_serial=f"{rng.choice(['BĐ', 'CĐ', 'DA', 'CS'])} {rng.randint(100000, 999999)}",
        gcn_book=f"CS {rng.randint(1000, 19999):05d}",
        gcn_date=received.date() - timedelta(days=rng.randint(400, 4000)),
        sides=[f"{rng.randint(5, 40)},{rng.randint(10, 99)}" for _ in range(4)],
    )
    price = rng.randint(15, 400) * 10_000_000
    contract_date = received.date() - timedelta(days=rng.randint(1, 20))
    articles = sorted(rng.sample(range(len(ARTICLES)), 6))
    return Dossier(
        code=code,
        procedure=PROCEDURE,
        receipt_no=f"{received:%y%m%d}{seq:04d}",
        received=received,
        due=add_working_days(received.date(), 8),
        seller=seller,
        buyer=buyer,
        parcel=parcel,
        price=price,
        notary=rng.choice(NOTARIES),
        notary_no=f"{rng.randint(100, 9999)}",
        officer=rng.choice(OFFICERS),
        phone=f"09{rng.randint(0, 99999999):08d}",
        contract_date=contract_date,
        articles=articles,
    )


# --------------------------------------------------------------------------
# A small page composer.


class Sheet:
    """Places text runs on one page, with word wrap by the font's advance widths."""

    def __init__(self, size: tuple[float, float], kind: str, left: float = 25.0, right: float = 15.0, top: float = 20.0):
        self.page = Page(size[0], size[1], [], kind)
        self.left = left
        self.right = size[0] - right
        self.y = top

    def add(self, item):
        self.page.items.append(item)
        return item

    def text(self, x: float, y: float, s: str, font: str = "serif", size: float = 11.0, field: str | None = None) -> Text:
        return self.add(Text(x, y, s, font, size, field=field))

    def center(self, s: str, y: float | None = None, font: str = "serif-bold", size: float = 12.0, cx: float | None = None,
               field: str | None = None) -> Text:
        y = self.y if y is None else y
        cx = (self.left + self.right) / 2 if cx is None else cx
        w = string_width_mm(s, font, size)
        return self.text(cx - w / 2, y, s, font, size, field)

    def label_value(self, label: str, value: str, x: float | None = None, y: float | None = None, size: float = 11.0,
                    field: str | None = None, label_font: str = "serif", value_font: str = "serif") -> Text:
        x = self.left if x is None else x
        y = self.y if y is None else y
        self.text(x, y, label, label_font, size)
        vx = x + string_width_mm(label + " ", label_font, size)
        return self.text(vx, y, value, value_font, size, field)

    def label_value_wrapped(self, label: str, value: str, x: float, size: float = 11.0, field: str | None = None,
                            leading: float = 6.0) -> list[Text]:
        """A label and a value that wraps under itself; leaves y on the last line."""
        self.text(x, self.y, label, "serif", size)
        vx = x + string_width_mm(label + " ", "serif", size)
        out = []
        lines = self.wrap(value, "serif", size, self.right - vx)
        for i, ln in enumerate(lines):
            if i:
                self.y += leading
            out.append(self.text(vx, self.y, ln, "serif", size, field))
        return out

    def wrap(self, s: str, font: str, size: float, width: float, first_indent: float = 0.0) -> list[str]:
        words = s.split()
        lines: list[str] = []
        cur = ""
        avail = width - first_indent
        for w in words:
            cand = w if not cur else cur + " " + w
            if string_width_mm(cand, font, size) <= avail or not cur:
                cur = cand
            else:
                lines.append(cur)
                cur = w
                avail = width
        if cur:
            lines.append(cur)
        return lines

    def para(self, s: str, font: str = "serif", size: float = 11.0, leading: float = 5.6, indent: float = 8.0,
             x: float | None = None, field: str | None = None) -> list[Text]:
        x = self.left if x is None else x
        out = []
        for i, ln in enumerate(self.wrap(s, font, size, self.right - x, indent)):
            out.append(self.text(x + (indent if i == 0 else 0), self.y, ln, font, size, field))
            self.y += leading
        return out

    def para_height(self, s: str, size: float = 11.0, leading: float = 5.6, indent: float = 8.0, font: str = "serif") -> float:
        return len(self.wrap(s, font, size, self.right - self.left, indent)) * leading

    def hline(self, y: float, x1: float | None = None, x2: float | None = None, width: float = 0.3):
        self.add(Line(self.left if x1 is None else x1, y, self.right if x2 is None else x2, y, width))

    def national_header(self, cx: float | None = None, size: float = 12.0):
        cx = (self.left + self.right) / 2 if cx is None else cx
        self.center("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", self.y, "serif-bold", size, cx)
        self.y += size * 0.5
        t = self.center("Độc lập - Tự do - Hạnh phúc", self.y, "serif-bold", size, cx)
        w = string_width_mm(t.text, t.font, t.size)
        self.add(Line(cx - w / 2, self.y + 1.6, cx + w / 2, self.y + 1.6, 0.3))
        self.y += size * 0.6

    def footer(self, n: int, total: int):
        self.center(f"Trang {n}/{total}", self.page.height - 10, "serif", 9)

    def slot(self, x: float, y: float, w: float, h: float):
        self.page.ink_slots.append((x, y, w, h))


# --------------------------------------------------------------------------
# TP1: application form Mẫu 09/ĐK.


def don_09dk(d: Dossier) -> list[Page]:
    s, p = d.seller, d.parcel
    a = Sheet(A4, "don_09dk_p1")
    a.text(a.right - string_width_mm("Mẫu số 09/ĐK", "serif-italic", 10), a.y - 6, "Mẫu số 09/ĐK", "serif-italic", 10)
    a.national_header()
    a.y += 4
    a.center("ĐƠN ĐĂNG KÝ BIẾN ĐỘNG ĐẤT ĐAI,", a.y, "serif-bold", 14)
    a.y += 7
    a.center("TÀI SẢN GẮN LIỀN VỚI ĐẤT", a.y, "serif-bold", 14)
    a.y += 9
    a.center("Kính gửi: Văn phòng đăng ký đất đai tỉnh Long An", a.y, "serif", 12)
    a.y += 10
    top = a.y - 5
    rows: list[tuple[str, str, str | None]] = [
        ("I. PHẦN KÊ KHAI CỦA NGƯỜI ĐĂNG KÝ", "", None),
        ("1. Người sử dụng đất, chủ sở hữu tài sản gắn liền với đất", "", None),
        ("1.1. Họ và tên:", s.name, "ho_ten_ben_a"),
        ("1.2. Năm sinh:", str(s.birth.year), "nam_sinh_ben_a"),
        ("1.3. Số CCCD:", s.cccd, "cccd_ben_a"),
        ("1.4. Ngày cấp:", dmy(s.cccd_date), "ngay_cap_ben_a"),
        ("1.5. Địa chỉ:", s.address, "dia_chi_ben_a"),
        ("2. Giấy chứng nhận đã cấp", "", None),
        ("2.1. Số vào sổ cấp GCN:", p.gcn_book, "so_vao_so"),
        ("2.2. Số phát hành GCN:", p.gcn_serial, "so_phat_hanh"),
        ("2.3. Ngày cấp GCN:", dmy(p.gcn_date), "ngay_cap_gcn"),
        ("3. Thửa đất có thay đổi", "", None),
        ("3.1. Thửa đất số:", p.thua, "thua_so"),
        ("3.2. Tờ bản đồ số:", p.to_ban_do, "to_ban_do"),
        ("3.3. Địa chỉ thửa đất:", p.address, "dia_chi_thua"),
        ("3.4. Diện tích:", f"{p.area} m²", "dien_tich"),
        ("3.5. Mục đích sử dụng:", p.purpose, "muc_dich"),
    ]
    for label, value, fld in rows:
        if not value:
            a.text(a.left + 2, a.y, label, "serif-bold", 11)
        else:
            a.label_value_wrapped(label, value, a.left + 6, size=11, field=fld)
        a.y += 7.2
    a.add(Box(a.left - 2, top, a.right - a.left + 4, a.y - top - 2, 0.35))
    a.y += 4
    a.text(a.left + 2, a.y, "4. Nội dung biến động", "serif-bold", 11)
    a.y += 7
    a.para(
        f"Chuyển nhượng toàn bộ quyền sử dụng đất thửa đất số {p.thua}, tờ bản đồ số {p.to_ban_do}, diện tích "
        f"{p.area} m² cho {d.buyer.title.lower()} {d.buyer.name}, số CCCD {d.buyer.cccd}, địa chỉ {d.buyer.address}.",
        size=11, leading=6.2, indent=6, x=a.left + 2,
    )
    a.footer(1, 2)

    b = Sheet(A4, "don_09dk_p2")
    b.y = 24
    b.text(b.left + 2, b.y, "5. Lý do biến động", "serif-bold", 11)
    b.y += 7
    b.para(f"Chuyển nhượng quyền sử dụng đất theo hợp đồng công chứng số {d.notary_no} ngày {dmy(d.contract_date)} "
           f"tại {d.notary}.", size=11, leading=6.2, indent=6, x=b.left + 2)
    b.y += 3
    b.text(b.left + 2, b.y, "6. Tình hình thực hiện nghĩa vụ tài chính về đất đai", "serif-bold", 11)
    b.y += 7
    b.para("Người nhận chuyển nhượng nộp lệ phí trước bạ; người chuyển nhượng nộp thuế thu nhập cá nhân theo quy định.",
           size=11, leading=6.2, indent=6, x=b.left + 2)
    b.y += 3
    b.text(b.left + 2, b.y, "7. Giấy tờ liên quan đến nội dung thay đổi nộp kèm theo đơn này gồm có:", "serif-bold", 11)
    b.y += 5
    table_top = b.y
    cols = [b.left, b.left + 12, b.left + 120, b.right]
    heads = ["STT", "Tên giấy tờ", "Số lượng"]
    docs = [
        ("Giấy chứng nhận quyền sử dụng đất (bản gốc)", "01"),
        (f"Hợp đồng chuyển nhượng số {d.notary_no}", "01"),
        ("Bản sao căn cước công dân của các bên", "02"),
        ("Tờ khai lệ phí trước bạ", "01"),
        ("Tờ khai thuế thu nhập cá nhân", "01"),
    ]
    row_h = 8.0
    b.y += 5.5
    for i, h in enumerate(heads):
        b.text(cols[i] + 2, b.y, h, "serif-bold", 10.5)
    for n, (name, qty) in enumerate(docs, 1):
        b.y += row_h
        b.text(cols[0] + 3, b.y, str(n), "serif", 10.5)
        b.text(cols[1] + 2, b.y, name, "serif", 10.5, field=f"giay_to_{n}")
        b.text(cols[2] + 8, b.y, qty, "serif", 10.5, field=f"so_luong_{n}")
    table_bottom = b.y + 3
    for yy in [table_top + row_h * i for i in range(len(docs) + 2)]:
        b.hline(min(yy, table_bottom), cols[0], cols[-1], 0.25)
    for x in cols:
        b.add(Line(x, table_top, x, table_bottom, 0.25))
    b.y = table_bottom + 10
    b.para("Tôi xin cam đoan nội dung kê khai trên đơn là đúng sự thật, nếu sai tôi hoàn toàn chịu trách nhiệm "
           "trước pháp luật.", size=11, leading=6.2, indent=6, x=b.left + 2)
    b.y += 6
    cx = b.left + (b.right - b.left) * 0.72
    b.center(f"Long An, ngày {d.contract_date:%d} tháng {d.contract_date:%m} năm {d.contract_date:%Y}", b.y,
             "serif-italic", 11, cx, field="ngay_viet_don")
    b.y += 6
    b.center("Người viết đơn", b.y, "serif-bold", 11, cx)
    b.y += 5
    b.center("(Ký, ghi rõ họ tên)", b.y, "serif-italic", 10, cx)
    b.slot(cx - 30, b.y + 3, 60, 26)
    b.y += 32
    b.center(s.name, b.y, "serif-bold", 11, cx, field="ho_ten_ky")
    b.y += 12
    box_top = b.y
    b.y += 7
    b.text(b.left + 2, b.y, "II. XÁC NHẬN CỦA ỦY BAN NHÂN DÂN CẤP XÃ", "serif-bold", 11)
    b.y += 7
    b.para("(Đối với trường hợp hộ gia đình, cá nhân đề nghị được tiếp tục sử dụng đất nông nghiệp khi hết hạn "
           "sử dụng đất)", font="serif-italic", size=10, leading=5.4, indent=0, x=b.left + 2)
    b.y += 20
    b.add(Box(b.left - 2, box_top, b.right - b.left + 4, b.y - box_top, 0.35))
    b.footer(2, 2)
    return [a.page, b.page]


# --------------------------------------------------------------------------
# TP2: notarised transfer contract.

ARTICLES = [
    ("VIỆC NỘP THUẾ VÀ LỆ PHÍ",
     "Thuế thu nhập cá nhân do Bên A chịu trách nhiệm nộp. Lệ phí trước bạ và các khoản phí liên quan đến việc "
     "đăng ký biến động quyền sử dụng đất theo hợp đồng này do Bên B chịu trách nhiệm nộp."),
    ("PHƯƠNG THỨC GIẢI QUYẾT TRANH CHẤP",
     "Trong quá trình thực hiện hợp đồng mà phát sinh tranh chấp, các bên cùng nhau thương lượng giải quyết trên "
     "nguyên tắc tôn trọng quyền lợi của nhau; trong trường hợp không giải quyết được thì một trong hai bên có "
     "quyền khởi kiện để yêu cầu Tòa án có thẩm quyền giải quyết theo quy định của pháp luật."),
    ("NGHĨA VỤ CỦA BÊN A",
     "Bên A có nghĩa vụ chuyển giao đất cho Bên B đủ diện tích, đúng hạng đất, loại đất, vị trí, số hiệu và tình "
     "trạng đất như đã thỏa thuận; giao giấy tờ có liên quan đến quyền sử dụng đất cho Bên B."),
    ("NGHĨA VỤ CỦA BÊN B",
     "Bên B có nghĩa vụ trả đủ tiền, đúng thời hạn và đúng phương thức đã thỏa thuận cho Bên A; đăng ký biến động "
     "quyền sử dụng đất theo quy định của pháp luật về đất đai; bảo đảm quyền của người thứ ba đối với đất."),
    ("CAM ĐOAN CỦA CÁC BÊN",
     "Bên A cam đoan những thông tin về nhân thân, về thửa đất đã ghi trong hợp đồng này là đúng sự thật; thửa "
     "đất thuộc trường hợp được chuyển nhượng quyền sử dụng đất theo quy định của pháp luật; tại thời điểm giao "
     "kết hợp đồng này thửa đất không có tranh chấp, không bị kê biên để bảo đảm thi hành án."),
    ("ĐIỀU KHOẢN CUỐI CÙNG",
     "Hai bên công nhận đã hiểu rõ quyền, nghĩa vụ và lợi ích hợp pháp của mình, ý nghĩa và hậu quả pháp lý của "
     "việc giao kết hợp đồng này. Hai bên đã tự đọc lại hợp đồng, đã hiểu và đồng ý tất cả các điều khoản ghi "
     "trong hợp đồng và ký vào hợp đồng này trước sự có mặt của công chứng viên."),
    ("QUYỀN SỬ DỤNG ĐẤT SAU KHI CHUYỂN NHƯỢNG",
     "Kể từ ngày hợp đồng được công chứng, Bên B có quyền đăng ký biến động và được cơ quan nhà nước có thẩm "
     "quyền cấp Giấy chứng nhận quyền sử dụng đất; Bên A không còn quyền và nghĩa vụ đối với thửa đất nêu tại "
     "Điều 1 của hợp đồng này."),
    ("THỜI HẠN GIAO ĐẤT",
     "Bên A giao thửa đất cùng toàn bộ giấy tờ gốc cho Bên B trong thời hạn mười lăm ngày kể từ ngày hợp đồng "
     "được công chứng; việc giao nhận có lập biên bản, có chữ ký của hai bên."),
]


def _party_block(sh: Sheet, label: str, p: Person, prefix: str):
    sh.text(sh.left, sh.y, label, "serif-bold", 11.5)
    sh.y += 7
    sh.label_value(f"{p.title}:", p.name, sh.left + 6, field=f"ho_ten_{prefix}", value_font="serif-bold")
    sh.label_value("Sinh năm:", str(p.birth.year), sh.left + 110, field=f"nam_sinh_{prefix}")
    sh.y += 6.4
    sh.label_value("CCCD số:", p.cccd, sh.left + 6, field=f"cccd_{prefix}")
    sh.label_value("cấp ngày:", dmy(p.cccd_date), sh.left + 80, field=f"ngay_cap_{prefix}")
    sh.y += 6.4
    sh.text(sh.left + 6, sh.y, "tại Cục Cảnh sát quản lý hành chính về trật tự xã hội", "serif", 11)
    sh.y += 6.4
    for ln in sh.wrap(f"Địa chỉ thường trú: {p.address}", "serif", 11, sh.right - sh.left - 6):
        sh.text(sh.left + 6, sh.y, ln, "serif", 11, field=f"dia_chi_{prefix}")
        sh.y += 6.4
    sh.y += 3


def hop_dong(d: Dossier) -> list[Page]:
    p = d.parcel
    a = Sheet(A4, "hop_dong_p1")
    a.national_header()
    a.y += 6
    a.center("HỢP ĐỒNG CHUYỂN NHƯỢNG QUYỀN SỬ DỤNG ĐẤT", a.y, "serif-bold", 14)
    a.y += 10
    a.para(f"Hôm nay, ngày {dmy(d.contract_date)}, tại {d.notary}, tỉnh Long An, chúng tôi gồm có:", indent=8)
    a.y += 3
    _party_block(a, "BÊN CHUYỂN NHƯỢNG (sau đây gọi là Bên A):", d.seller, "ben_a")
    _party_block(a, "BÊN NHẬN CHUYỂN NHƯỢNG (sau đây gọi là Bên B):", d.buyer, "ben_b")
    a.para("Hai bên tự nguyện cùng nhau lập và ký hợp đồng này để thực hiện việc chuyển nhượng quyền sử dụng đất "
           "theo các thỏa thuận sau đây:", indent=8)
    a.footer(1, 3)

    b = Sheet(A4, "hop_dong_p2")
    b.y = 24
    b.text(b.left, b.y, "ĐIỀU 1. QUYỀN SỬ DỤNG ĐẤT CHUYỂN NHƯỢNG", "serif-bold", 11.5)
    b.y += 7
    b.para(f"Quyền sử dụng đất của Bên A đối với thửa đất theo Giấy chứng nhận số {p.gcn_serial}, số vào sổ cấp "
           f"GCN {p.gcn_book} do Ủy ban nhân dân tỉnh Long An cấp ngày {dmy(p.gcn_date)}, cụ thể như sau:", indent=8)
    b.y += 1
    items = [
        ("Thửa đất số:", p.thua, "thua_so"),
        ("Tờ bản đồ số:", p.to_ban_do, "to_ban_do"),
        ("Địa chỉ thửa đất:", p.address, "dia_chi_thua"),
        ("Diện tích:", f"{p.area} m²", "dien_tich"),
        ("Hình thức sử dụng:", "Sử dụng riêng", "hinh_thuc"),
        ("Mục đích sử dụng:", p.purpose, "muc_dich"),
        ("Thời hạn sử dụng:", "Lâu dài", "thoi_han"),
    ]
    for label, value, fld in items:
        b.text(b.left + 6, b.y, "-", "serif", 11)
        b.label_value(label, value, b.left + 10, field=fld)
        b.y += 6.4
    b.text(b.left + 10, b.y, f"(Bằng chữ: {area_words(p.area)})", "serif-italic", 10.5, field="dien_tich_chu")
    b.y += 6.4
    for ln in b.wrap(f"Nguồn gốc sử dụng: {p.origin}.", "serif", 11, b.right - b.left - 10):
        b.text(b.left + 10, b.y, ln, "serif", 11, field="nguon_goc")
        b.y += 6.4
    b.y += 4
    b.text(b.left, b.y, "ĐIỀU 2. GIÁ CHUYỂN NHƯỢNG VÀ PHƯƠNG THỨC THANH TOÁN", "serif-bold", 11.5)
    b.y += 7
    b.label_value("Giá chuyển nhượng quyền sử dụng đất nêu tại Điều 1 là:", f"{money(d.price)} đồng", b.left + 8,
                  field="gia")
    b.y += 6.4
    words = number_words(d.price)
    b.para(f"(Bằng chữ: {words[0].upper() + words[1:]} đồng)", font="serif-italic", size=10.5, indent=8,
           field="gia_chu")
    b.para("Phương thức thanh toán: Bên B thanh toán cho Bên A bằng tiền mặt một lần ngay sau khi hợp đồng này được "
           "công chứng. Việc thanh toán số tiền nêu trên do hai bên tự thực hiện và chịu trách nhiệm trước pháp luật.",
           indent=8)
    b.y += 4
    n = 3
    arts = [ARTICLES[i] for i in d.articles]
    rest: list[tuple[str, str]] = []
    for title, body in arts:
        need = 7 + b.para_height(body) + 4
        if not rest and b.y + need < A4[1] - 20:
            b.text(b.left, b.y, f"ĐIỀU {n}. {title}", "serif-bold", 11.5)
            b.y += 7
            b.para(body)
            b.y += 4
            n += 1
        else:
            rest.append((title, body))
    b.footer(2, 3)

    c = Sheet(A4, "hop_dong_p3")
    c.y = 24
    for title, body in rest:
        c.text(c.left, c.y, f"ĐIỀU {n}. {title}", "serif-bold", 11.5)
        c.y += 7
        c.para(body)
        c.y += 4
        n += 1
    c.y += 4
    xa = c.left + 35
    xb = c.left + (c.right - c.left) - 35
    c.center("BÊN A", c.y, "serif-bold", 11.5, xa)
    c.center("BÊN B", c.y, "serif-bold", 11.5, xb)
    c.y += 5
    c.center("(Ký, ghi rõ họ tên)", c.y, "serif-italic", 10, xa)
    c.center("(Ký, ghi rõ họ tên)", c.y, "serif-italic", 10, xb)
    c.slot(xa - 30, c.y + 3, 60, 24)
    c.slot(xb - 30, c.y + 3, 60, 24)
    c.y += 30
    c.center(d.seller.name, c.y, "serif-bold", 11, xa, field="ho_ten_ky_a")
    c.center(d.buyer.name, c.y, "serif-bold", 11, xb, field="ho_ten_ky_b")
    c.y += 12
    c.center("LỜI CHỨNG CỦA CÔNG CHỨNG VIÊN", c.y, "serif-bold", 12)
    c.y += 8
    c.para(f"Ngày {dmy(d.contract_date)}, tại {d.notary}, tỉnh Long An, tôi, công chứng viên, chứng nhận: hợp đồng "
           f"chuyển nhượng quyền sử dụng đất được giao kết giữa {d.seller.title.lower()} {d.seller.name} và "
           f"{d.buyer.title.lower()} {d.buyer.name}; các bên đã tự nguyện thỏa thuận giao kết hợp đồng; tại thời "
           "điểm công chứng, các bên đã giao kết hợp đồng có năng lực hành vi dân sự phù hợp theo quy định của "
           "pháp luật; nội dung thỏa thuận của các bên trong hợp đồng không vi phạm điều cấm của luật, không trái "
           "đạo đức xã hội.", indent=8)
    c.y += 2
    c.label_value("Số công chứng:", f"{d.notary_no}, quyển số {d.contract_date:%m}/{d.contract_date:%Y} TP/CC-SCC/HĐGD",
                  c.left + 8, field="so_cong_chung")
    c.y += 8
    cx = c.left + (c.right - c.left) * 0.72
    c.center("CÔNG CHỨNG VIÊN", c.y, "serif-bold", 11.5, cx)
    c.slot(cx - 32, c.y + 3, 64, 30)
    c.footer(3, 3)
    return [a.page, b.page, c.page]


# --------------------------------------------------------------------------
# TP3: land-use right certificate page.


def gcn(d: Dossier) -> list[Page]:
    p, s = d.parcel, d.seller
    g = Sheet(A4, "gcn", left=22, right=22, top=26)
    g.add(Box(10, 10, A4[0] - 20, A4[1] - 20, 1.2, color=(150, 30, 30)))
    g.add(Box(13, 13, A4[0] - 26, A4[1] - 26, 0.3, color=(150, 30, 30)))
    g.national_header()
    g.y += 8
    g.center("GIẤY CHỨNG NHẬN", g.y, "serif-bold", 18)
    g.y += 8
    g.center("QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở", g.y, "serif-bold", 13)
    g.y += 6
    g.center("VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT", g.y, "serif-bold", 13)
    g.y += 8
    g.center(p.gcn_serial, g.y, "sans-bold", 12, field="so_phat_hanh")
    g.y += 12
    g.text(g.left, g.y, "I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất", "serif-bold", 11)
    g.y += 7
    g.label_value(f"{s.title}:", s.name, g.left + 6, field="ho_ten_ben_a", value_font="serif-bold")
    g.label_value("Năm sinh:", str(s.birth.year), g.left + 105, field="nam_sinh_ben_a")
    g.y += 6.4
    g.label_value("CCCD số:", s.cccd, g.left + 6, field="cccd_ben_a")
    g.y += 6.4
    for ln in g.wrap(f"Địa chỉ thường trú: {s.address}", "serif", 11, g.right - g.left - 6):
        g.text(g.left + 6, g.y, ln, "serif", 11, field="dia_chi_ben_a")
        g.y += 6.4
    g.y += 4
    g.text(g.left, g.y, "II. Thửa đất, nhà ở và tài sản khác gắn liền với đất", "serif-bold", 11)
    g.y += 7
    g.text(g.left + 6, g.y, "1. Thửa đất:", "serif-bold", 11)
    g.y += 6.4
    g.label_value("a) Thửa đất số:", p.thua, g.left + 10, field="thua_so")
    g.label_value("tờ bản đồ số:", p.to_ban_do, g.left + 75, field="to_ban_do")
    g.y += 6.4
    addr = g.wrap(f"b) Địa chỉ: {p.address}", "serif", 11, g.right - g.left - 10)
    for ln in addr:
        g.text(g.left + 10, g.y, ln, "serif", 11, field="dia_chi_thua")
        g.y += 6.4
    g.label_value("c) Diện tích:", f"{p.area} m²", g.left + 10, field="dien_tich")
    g.y += 6.4
    g.text(g.left + 14, g.y, f"(Bằng chữ: {area_words(p.area)})", "serif-italic", 10, field="dien_tich_chu")
    g.y += 6.4
    g.label_value("d) Hình thức sử dụng:", "Sử dụng riêng", g.left + 10, field="hinh_thuc")
    g.y += 6.4
    g.label_value("đ) Mục đích sử dụng:", p.purpose, g.left + 10, field="muc_dich")
    g.y += 6.4
    g.label_value("e) Thời hạn sử dụng:", "Lâu dài", g.left + 10, field="thoi_han")
    g.y += 6.4
    for ln in g.wrap(f"g) Nguồn gốc sử dụng: {p.origin}", "serif", 11, g.right - g.left - 10):
        g.text(g.left + 10, g.y, ln, "serif", 11, field="nguon_goc")
        g.y += 6.4
    g.y += 4
    g.text(g.left, g.y, "III. Sơ đồ thửa đất", "serif-bold", 11)
    g.y += 4
    # Parcel sketch: a quadrilateral with its edge lengths.
    ox, oy = g.left + 30, g.y + 6
    pts = [(ox, oy + 6), (ox + 95, oy), (ox + 103, oy + 40), (ox + 5, oy + 46)]
    for i in range(4):
        (x1, y1), (x2, y2) = pts[i], pts[(i + 1) % 4]
        g.add(Line(x1, y1, x2, y2, 0.45))
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        g.text(mx + (3 if i in (1,) else -14 if i == 3 else -6), my + (-2 if i == 0 else 5 if i == 2 else 1),
               p.sides[i], "sans", 9, field=f"canh_{i + 1}")
    g.center(p.thua, oy + 22, "sans-bold", 12, ox + 52, field="thua_so_so_do")
    g.center(f"{p.area} m²", oy + 28, "sans", 10, ox + 52, field="dien_tich_so_do")
    g.y = oy + 56
    cx = g.left + (g.right - g.left) * 0.68
    g.center(f"Long An, ngày {p.gcn_date:%d} tháng {p.gcn_date:%m} năm {p.gcn_date:%Y}", g.y, "serif-italic", 11, cx,
             field="ngay_cap_gcn")
    g.y += 6
    g.center("TM. ỦY BAN NHÂN DÂN", g.y, "serif-bold", 11, cx)
    g.y += 5
    g.center("KT. CHỦ TỊCH", g.y, "serif-bold", 11, cx)
    g.slot(cx - 30, g.y + 3, 60, max(12.0, min(24.0, A4[1] - 20 - (g.y + 3))))
    yb = A4[1] - 20
    g.text(g.left, yb, "Số vào sổ cấp GCN:", "serif", 10.5)
    g.text(g.left + string_width_mm("Số vào sổ cấp GCN: ", "serif", 10.5), yb, p.gcn_book, "serif-bold", 10.5,
           field="so_vao_so")
    return [g.page]


# --------------------------------------------------------------------------
# TP4: identity card copies.


def _card(sh: Sheet, x: float, y: float, p: Person, back: bool, tag: str):
    w, h = 85.6 * 1.6, 54.0 * 1.6
    sh.add(Box(x, y, w, h, 0.5))
    if not back:
        sh.center("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", y + 7, "sans-bold", 8, x + w / 2 + 10)
        sh.center("Độc lập - Tự do - Hạnh phúc", y + 11, "sans-bold", 7.5, x + w / 2 + 10)
        sh.center("CĂN CƯỚC CÔNG DÂN", y + 18, "sans-bold", 11, x + w / 2 + 10, field="cccd_title")
        sh.add(Box(x + 6, y + 24, 30, 40, 0.3, fill=(200, 200, 200)))
        tx = x + 42
        sh.label_value("Số / No.:", p.cccd, tx, y + 28, 9, field=f"cccd_{tag}", label_font="sans", value_font="sans-bold")
        sh.text(tx, y + 35, "Họ và tên / Full name:", "sans", 7.5)
        sh.text(tx, y + 40.5, p.name.upper(), "sans-bold", 9.5, field=f"ho_ten_{tag}")
        sh.label_value("Ngày sinh / Date of birth:", dmy(p.birth), tx, y + 47, 7.5, field=f"ngay_sinh_{tag}",
                       label_font="sans", value_font="sans")
        sh.label_value("Giới tính / Sex:", "Nữ" if p.title == "Bà" else "Nam", tx, y + 52, 7.5, field=f"gioi_tinh_{tag}",
                       label_font="sans", value_font="sans")
        sh.label_value("Quốc tịch / Nationality:", "Việt Nam", tx + 48, y + 52, 7.5, label_font="sans",
                       value_font="sans")
        sh.text(tx, y + 58, "Quê quán / Place of origin:", "sans", 7.5)
        sh.text(tx, y + 62.5, p.origin, "sans", 7.5, field=f"que_quan_{tag}")
        sh.text(tx, y + 68, "Nơi thường trú / Place of residence:", "sans", 7.5)
        lines = sh.wrap(p.address, "sans", 7.5, w - 44)
        for i, ln in enumerate(lines[:2]):
            sh.text(tx, y + 72.5 + 4.3 * i, ln, "sans", 7.5, field=f"dia_chi_{tag}")
        sh.label_value("Có giá trị đến:", dmy(p.birth.replace(year=p.birth.year + 60)), x + 4, y + 70, 6.5,
                       label_font="sans", value_font="sans")
    else:
        sh.text(x + 6, y + 10, "Đặc điểm nhân dạng / Personal identification:", "sans", 7.5)
        sh.text(x + 6, y + 15, "Nốt ruồi C:1cm dưới trước mắt trái", "sans", 7.5)
        sh.label_value("Ngày, tháng, năm / Date, month, year:", dmy(p.cccd_date), x + 6, y + 24, 7.5,
                       field=f"ngay_cap_{tag}", label_font="sans", value_font="sans")
        sh.text(x + 6, y + 31, "CỤC TRƯỞNG CỤC CẢNH SÁT", "sans-bold", 8)
        sh.text(x + 6, y + 35, "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", "sans-bold", 8)
        sh.add(Box(x + w - 40, y + 8, 16, 20, 0.3))
        sh.add(Box(x + w - 20, y + 8, 16, 20, 0.3))
        mrz1 = f"IDVNM{p.cccd[3:]}{p.cccd}<<{p.birth.year % 10}"
        mrz2 = f"{p.birth:%y%m%d}{'F' if p.title == 'Bà' else 'M'}{p.birth.year + 60 - 2000:02d}{p.birth:%m%d}VNM<<<<<<<<<<<8"
        nm = p.name.upper()
        ascii_name = "".join(c for c in unicodedata.normalize("NFD", nm.replace("Đ", "D"))
                             if unicodedata.category(c) != "Mn")
        mrz3 = ascii_name.replace(" ", "<", 1).replace(" ", "<")
        mrz3 = (mrz3.split("<", 1)[0] + "<<" + mrz3.split("<", 1)[1] + "<" * 30)[:30]
        for i, ln in enumerate([mrz1[:30], mrz2[:30], mrz3]):
            sh.text(x + 6, y + 62 + 6 * i, ln, "mono", 9.5, field=f"mrz_{tag}_{i + 1}")


def cccd(d: Dossier) -> list[Page]:
    """Two pages: each party's card, front and back, copied onto A4."""
    pages = []
    w = 85.6 * 1.6
    x = (A4[0] - w) / 2
    for n, (person, tag, who) in enumerate(((d.seller, "ben_a", "BÊN CHUYỂN NHƯỢNG"),
                                            (d.buyer, "ben_b", "BÊN NHẬN CHUYỂN NHƯỢNG")), 1):
        c = Sheet(A4, f"cccd_p{n}", left=20, right=20, top=20)
        c.center("BẢN SAO CĂN CƯỚC CÔNG DÂN", c.y, "serif-bold", 12)
        c.center(f"({who})", c.y + 6, "serif-italic", 10.5)
        _card(c, x, 34, person, False, tag)
        _card(c, x, 34 + 100, person, True, tag)
        c.slot(x + w - 62, 34 + 100 + 88 + 6, 60, 36)
        c.footer(n, 2)
        pages.append(c.page)
    return pages


# --------------------------------------------------------------------------
# Receipt Mẫu 01 (A5) with a QR code at the top left.


def receipt_qr_payload(d: Dossier, issued: datetime | None = None) -> str:
    issued = issued or d.received
    return (
        f"MaHoSo:{d.code};MaTTHC:{d.procedure};CCCD:{d.seller.cccd};TenGiayTo:Giay tiep nhan ho so va hen tra ket qua;"
        f"HeThong:HTTTGQTTHC tinh Long An;ThoiGian:{issued:%Y%m%d%H%M%S}"
    )


def bien_nhan(d: Dossier) -> list[Page]:
    r = Sheet(A5, "bien_nhan", left=10, right=10, top=12)
    r.add(QrCode(8, 8, 22, receipt_qr_payload(d)))
    lx = 51
    r.center("UBND TỈNH LONG AN", 13, "serif", 8, lx)
    r.center("SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", 17, "serif-bold", 8, lx)
    r.center("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13, "serif-bold", 8, 107)
    r.center("Độc lập - Tự do - Hạnh phúc", 17, "serif-bold", 8, 107)
    r.add(Line(91, 18.5, 123, 18.5, 0.25))
    r.text(122, 7, "Mẫu số 01", "serif-italic", 7.5)
    r.y = 38
    r.center("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", r.y, "serif-bold", 11)
    r.y += 6
    r.center(f"Mã hồ sơ: {d.code}", r.y, "sans-bold", 9, field="ma_ho_so")
    r.y += 8
    sz, ld = 8.8, 4.9
    r.para("Bộ phận tiếp nhận và trả kết quả Sở Tài nguyên và Môi trường tỉnh Long An tiếp nhận hồ sơ của:",
           size=sz, leading=ld, indent=5)
    r.label_value(f"{d.seller.title}:", d.seller.name, r.left + 5, size=sz, field="ho_ten_ben_a", value_font="serif-bold")
    r.y += ld
    r.label_value("Số CCCD:", d.seller.cccd, r.left + 5, size=sz, field="cccd_ben_a")
    r.label_value("Điện thoại:", d.phone, r.left + 70, size=sz, field="dien_thoai")
    r.y += ld
    for ln in r.wrap(f"Địa chỉ: {d.seller.address}", "serif", sz, r.right - r.left - 5):
        r.text(r.left + 5, r.y, ln, "serif", sz, field="dia_chi_ben_a")
        r.y += ld
    r.para("Nội dung yêu cầu giải quyết: Đăng ký biến động quyền sử dụng đất do chuyển nhượng (mã thủ tục "
           f"{d.procedure}).", size=sz, leading=ld, indent=5)
    r.text(r.left + 5, r.y, "1. Thành phần hồ sơ nộp gồm:", "serif", sz)
    r.y += ld
    comps = [
        "Đơn đăng ký biến động đất đai (Mẫu 09/ĐK): 01 bản chính",
        "Hợp đồng chuyển nhượng quyền sử dụng đất: 01 bản chính",
        "Giấy chứng nhận quyền sử dụng đất: 01 bản gốc",
        "Căn cước công dân các bên: 02 bản sao",
    ]
    for i, cpt in enumerate(comps, 1):
        r.text(r.left + 9, r.y, f"- {cpt}", "serif", sz, field=f"thanh_phan_{i}")
        r.y += ld
    r.text(r.left + 5, r.y, "2. Số lượng hồ sơ: 01 bộ", "serif", sz)
    r.y += ld
    r.text(r.left + 5, r.y, "3. Thời gian giải quyết hồ sơ theo quy định: 08 ngày làm việc", "serif", sz)
    r.y += ld
    rc = d.received
    r.label_value("4. Thời gian nhận hồ sơ:", f"{rc:%H} giờ {rc:%M} phút, ngày {dmy(rc.date())}", r.left + 5,
                  size=sz, field="thoi_gian_nhan")
    r.y += ld
    r.label_value("5. Thời gian trả kết quả:", f"ngày {dmy(d.due)}", r.left + 5, size=sz, field="thoi_gian_tra")
    r.y += ld
    r.label_value("Vào Sổ theo dõi hồ sơ, Quyển số: 01, Số thứ tự:", d.code[-4:], r.left + 5, size=sz,
                  field="so_thu_tu")
    r.y += ld + 4
    xa, xb = r.left + 30, r.right - 30
    r.center("NGƯỜI NỘP HỒ SƠ", r.y, "serif-bold", 9, xa)
    r.center("NGƯỜI TIẾP NHẬN HỒ SƠ", r.y, "serif-bold", 9, xb)
    r.y += 4
    r.center("(Ký và ghi rõ họ tên)", r.y, "serif-italic", 8, xa)
    r.center("(Ký và ghi rõ họ tên)", r.y, "serif-italic", 8, xb)
    r.slot(xa - 24, r.y + 2, 48, 20)
    r.slot(xb - 24, r.y + 2, 48, 20)
    r.y += 26
    r.center(d.seller.name, r.y, "serif-bold", 9, xa, field="ho_ten_ky_a")
    r.center(d.officer, r.y, "serif-bold", 9, xb, field="can_bo")
    return [r.page]


def blank_page(size: tuple[float, float] = A4) -> Page:
    return Page(size[0], size[1], [], "blank")


# Component code -> (document name, builder).
COMPONENTS = {
    "TP1": ("Đơn đăng ký biến động đất đai, tài sản gắn liền với đất (Mẫu 09/ĐK)", don_09dk),
    "TP2": ("Hợp đồng chuyển nhượng quyền sử dụng đất", hop_dong),
    "TP3": ("Giấy chứng nhận quyền sử dụng đất", gcn),
    "TP4": ("Bản sao căn cước công dân các bên", cccd),
}


def component_pages(d: Dossier, comp: str) -> list[Page]:
    return COMPONENTS[comp][1](d)
