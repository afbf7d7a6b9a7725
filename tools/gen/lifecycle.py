"""Fixtures for the lifecycle and report tests, and a seeded synthetic year.

    python3 -m tools.gen.lifecycle fixtures          # fixtures/lifecycle/*.{csv,xlsx}
    python3 -m tools.gen.lifecycle year --seed 1 --count 5000 --out year.csv

The sample (8 dossiers, Nov-Dec 2022) has figures worked out by hand in
tests/cli/lifecycle.rs. The XLSX holds the same rows the way provincial
one-stop exports look: a merged title, Vietnamese headers, a merged officer
cell over two rows, and dates stored as Excel serials.
"""

import csv
import datetime as dt
import random
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "lifecycle"

FIELDS = ["MaHoSo", "MaTTHC", "NgayTiepNhan", "HoTenNguoiNop", "KenhTiepNhan", "CanBoXuLy",
          "SoHoaTaiTiepNhan", "NgayBoSung", "NgayCoKetQua", "NgayTraKetQua", "HinhThucTraKetQua"]
HEADERS_VI = ["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Người nộp", "Kênh tiếp nhận", "Cán bộ xử lý",
              "Số hóa tại tiếp nhận", "Ngày bổ sung", "Ngày có kết quả", "Ngày trả kết quả", "Hình thức trả kết quả"]

T = "1.004227.H38"   # transfer: 10 working days under 2022 rules
I = "1.013831.H38"   # land information: 3 working days

# code, procedure, received, applicant, channel, officer, digitised, supplement, result, returned, return channel
SAMPLE = [
    ("000.00.38.H38-221125-0001", T, "25/11/2022 08:00", "Nguyễn Văn Đức", "Trực tiếp", "Lan", "1", "", "08/12/2022", "09/12/2022", "Trực tiếp"),
    ("000.00.38.H38-221125-0002", T, "25/11/2022 09:00", "Trần Thị Hương", "Toàn trình", "Lan", "0", "", "09/12/2022", "12/12/2022", "Bưu chính công ích"),
    ("000.00.38.H38-221125-0003", T, "25/11/2022 10:00", "Lê Văn Tám", "Bưu chính", "Minh", "1", "", "12/12/2022", "13/12/2022", "Trực tiếp"),
    ("000.00.38.H38-221125-0004", T, "25/11/2022 14:00", "Phạm Thị Lụa", "Mức độ 3", "Minh", "1", "30/11/2022", "14/12/2022", "", ""),
    ("000.00.38.H38-221128-0001", I, "28/11/2022 08:30", "Võ Văn Kiệt", "Trực tiếp", "Lan", "1", "", "02/12/2022", "", ""),
    ("000.00.38.H38-221128-0002", I, "28/11/2022 09:30", "Đặng Thị Mai", "Trực tiếp", "Minh", "0", "", "", "", ""),
    ("000.00.38.H38-221201-0001", I, "01/12/2022 10:00", "Hồ Văn Nam", "Trực tiếp", "Lan", "1", "", "", "", ""),
    ("000.00.38.H38-221129-0001", T, "29/11/2022 15:00", "Bùi Thị Xuân", "Mức độ 4", "Minh", "0", "", "", "", ""),
]


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(FIELDS)
        w.writerows(rows)


def excel_date(text):
    if not text:
        return None
    if " " in text:
        return dt.datetime.strptime(text, "%d/%m/%Y %H:%M")
    return dt.datetime.strptime(text, "%d/%m/%Y")


def serial(d):
    return (d - dt.datetime(1899, 12, 30)).total_seconds() / 86400.0


def write_xlsx(path, rows, bad_date_row=None):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "Hồ sơ"
    ws.cell(1, 1, "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS_VI))
    for c, h in enumerate(HEADERS_VI, 1):
        ws.cell(3, c, h)
    r = 4
    for i, row in enumerate(rows):
        for c, v in enumerate(row, 1):
            name = FIELDS[c - 1]
            if name.startswith("Ngay") and v:
                d = excel_date(v)
                if c == 9:
                    # A bare serial with no date format, as some exports write.
                    ws.cell(r, c, serial(d))
                else:
                    cell = ws.cell(r, c, d)
                    cell.number_format = "dd/mm/yyyy hh:mm"
            elif name == "SoHoaTaiTiepNhan":
                ws.cell(r, c, int(v))
            else:
                ws.cell(r, c, v)
        if bad_date_row is not None and i == bad_date_row:
            ws.cell(r, 3, "31/02/2022")
        r += 1
    # Rows 2 and 3 of the data (sheet rows 5-6) share officer "Lan"? No: rows 4-5 are
    # Lan, Lan in the sample? Merge where two consecutive rows have the same officer.
    for a in range(4, r - 1):
        if ws.cell(a, 6).value and ws.cell(a, 6).value == ws.cell(a + 1, 6).value and not any(
            a in range(m.min_row, m.max_row + 1) and m.min_col == 6 for m in ws.merged_cells.ranges
        ):
            ws.cell(a + 1, 6).value = None
            ws.merge_cells(start_row=a, start_column=6, end_row=a + 1, end_column=6)
    wb.save(path)


def fixtures():
    OUT.mkdir(parents=True, exist_ok=True)
    write_csv(OUT / "sample.csv", SAMPLE)
    write_xlsx(OUT / "sample.xlsx", SAMPLE)
    write_xlsx(OUT / "bad-row.xlsx", SAMPLE[:3], bad_date_row=1)
    data = (OUT / "sample.xlsx").read_bytes()
    (OUT / "broken.xlsx").write_bytes(data[: len(data) // 3])


def year(seed, count, out, first=dt.date(2022, 1, 4)):
    """A seeded year of dossiers: channels, officers, supplements, results."""
    rnd = random.Random(seed)
    officers = ["Lan", "Minh", "Hùng", "Thảo", "Quân", "Ngọc"]
    procedures = [(T, 0.5), ("1.001990.H38", 0.15), ("1.004203.H38", 0.2), (I, 0.15)]
    per_day = {}
    rows = []
    for _ in range(count):
        day = first + dt.timedelta(days=rnd.randrange(0, 360))
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        n = per_day[day] = per_day.get(day, 0) + 1
        code = f"000.00.38.H38-{day:%y%m%d}-{n:04d}"
        proc = rnd.choices([p for p, _ in procedures], [w for _, w in procedures])[0]
        channel = rnd.choices(["Trực tiếp", "Toàn trình", "Một phần", "Bưu chính"], [0.6, 0.15, 0.15, 0.1])[0]
        received = dt.datetime.combine(day, dt.time(7 + rnd.randrange(0, 10), rnd.randrange(0, 60)))
        supplement = ""
        if rnd.random() < 0.1:
            supplement = (day + dt.timedelta(days=rnd.randrange(2, 10))).strftime("%d/%m/%Y")
        result = returned = how = ""
        if rnd.random() < 0.9:
            res = day + dt.timedelta(days=rnd.randrange(3, 30))
            result = res.strftime("%d/%m/%Y")
            if rnd.random() < 0.8:
                returned = (res + dt.timedelta(days=rnd.randrange(0, 5))).strftime("%d/%m/%Y")
                how = rnd.choices(["Trực tiếp", "Bưu chính công ích"], [0.8, 0.2])[0]
        rows.append((code, proc, received.strftime("%d/%m/%Y %H:%M"), f"Người nộp {n}", channel,
                     rnd.choice(officers), "1" if rnd.random() < 0.7 else "0", supplement, result, returned, how))
    write_csv(out, rows)


if __name__ == "__main__":
    if sys.argv[1:2] == ["fixtures"]:
        fixtures()
    elif sys.argv[1:2] == ["year"]:
        args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
        year(int(args.get("--seed", 1)), int(args.get("--count", 5000)), args["--out"])
    else:
        sys.exit(__doc__)
