"""Fixtures for the lifecycle and report tests, and a seeded synthetic year.

    python3 -m tools.gen.lifecycle fixtures          # fixtures/lifecycle/*.{csv,xlsx}
    python3 -m tools.gen.lifecycle year --seed 1 --count 5000 --out year.csv
    python3 -m tools.gen.lifecycle year-xlsx --seed 1 --count 100000 --out year.xlsx
    python3 -m tools.gen.lifecycle seed-db --db DATA/doisoat.sqlite --count 1000000   # bench load

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


def year_rows(seed, count, first=dt.date(2022, 1, 4)):
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
    return rows


def year(seed, count, out):
    write_csv(out, year_rows(seed, count))


def year_xlsx(seed, count, out):
    """The same year as an XLSX export (write-only mode: 100k rows in seconds)."""
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Hồ sơ")
    ws.append(["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ"])
    ws.append([])
    ws.append(HEADERS_VI)
    for row in year_rows(seed, count):
        ws.append([excel_date(v) if FIELDS[i].startswith("Ngay") and v else v for i, v in enumerate(row)])
    wb.save(out)


def seed_db(db, count, seed):
    """Bench load: `count` dossiers with lifecycle rows written straight into
    an existing doisoat database (schema made by doisoat itself). Due dates
    are approximate (calendar days x 7/5); the bench measures aggregation."""
    import sqlite3
    rnd = random.Random(seed)
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous=OFF")
    officers = ["Lan", "Minh", "Hùng", "Thảo", "Quân", "Ngọc", "Hải", "Trang"]
    procs = [(T, 10), ("1.001990.H38", 30), ("1.004203.H38", 10), (I, 3)]
    channels = ["desk"] * 6 + ["online_full", "online_partial", "online_partial", "post"]
    start = dt.date(2022, 1, 3)
    base = con.execute("SELECT IFNULL(MAX(id), 0) FROM dossiers").fetchone()[0]
    dossiers, lifes, recs, finds = [], [], [], []
    for k in range(count):
        i = base + k + 1
        day = start + dt.timedelta(days=rnd.randrange(0, 5 * 365))
        proc, n = rnd.choice(procs)
        due = day + dt.timedelta(days=n * 7 // 5 + 1)
        finished = None
        outcome = None
        state = rnd.choice(["received", "processing", "supplement_requested"])
        if rnd.random() < 0.85:
            finished = day + dt.timedelta(days=rnd.randrange(1, n * 2 + 2))
            outcome = "early" if finished < due else ("on_time" if finished == due else "late")
            state = "returned" if rnd.random() < 0.7 else "result_ready"
        code = f"000.00.38.H38-{day:%y%m%d}-{k:07d}"
        dossiers.append((i, code, "odd_shape", proc, f"{day}T08:00:00+07:00", "{}", "t", "t"))
        lifes.append((i, state, rnd.choice(channels), "post" if state == "returned" and rnd.random() < 0.2 else None,
                      rnd.choice(officers), proc, day.isoformat(), n, day.isoformat(), due.isoformat(),
                      finished.isoformat() if finished else None, outcome, 1 if rnd.random() < 0.7 else 0, None, "t"))
        if rnd.random() < 0.3:
            recs.append((i, "DON", "match" if rnd.random() < 0.9 else "mismatch"))
            if rnd.random() < 0.1:
                finds.append((i, "DON", "text_changed", f"f{i}", "t", "open"))
    con.executemany("INSERT INTO dossiers (id, code, code_check, procedure_code, received_at, extra, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)", dossiers)
    con.executemany("INSERT INTO lifecycle (dossier_id, state, channel, return_channel, officer, procedure_code, received_date, deadline_days, clock_start, due_date, finished_date, outcome, digitised, apology_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", lifes)
    con.executemany("INSERT INTO reconciliations (dossier_id, component_code, verdict, at) VALUES (?,?,?,'t')", recs)
    con.executemany("INSERT INTO findings (dossier_id, component_code, kind, identity, created_at, status) VALUES (?,?,?,?,?,?)", finds)
    con.commit()
    con.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["fixtures"]:
        fixtures()
    elif sys.argv[1:2] in (["year"], ["year-xlsx"], ["seed-db"]):
        args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
        seed, count = int(args.get("--seed", 1)), int(args.get("--count", 5000))
        if sys.argv[1] == "year":
            year(seed, count, args["--out"])
        elif sys.argv[1] == "year-xlsx":
            year_xlsx(seed, count, args["--out"])
        else:
            seed_db(args["--db"], count, seed)
    else:
        sys.exit(__doc__)
