"""A CSV dossier list of N rows for the import benchmark. Seeded.

    python3 benches/make_dossiers.py OUT.csv N
"""

import csv
import random
import sys

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Đức", "Hương", "Lan", "Phước", "Quý", "Tâm", "Thảo", "Tường", "Yến"]


def main() -> None:
    out, n = sys.argv[1], int(sys.argv[2])
    rng = random.Random(7)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["MaHoSo", "MaTTHC", "SoBienNhan", "NgayTiepNhan", "HoTenNguoiNop", "SoCCCD", "TrangThai"])
        for i in range(n):
            day = 1 + i % 28
            month = 1 + (i // 28) % 12
            code = f"000.00.38.H38-22{month:02d}{day:02d}-{i % 10000:04d}"
            if i >= 10000:
                code = f"000.00.38.H38-23{month:02d}{day:02d}-{i % 10000:04d}"
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            w.writerow([code, "1.004227", f"{i:010d}", f"2022{month:02d}{day:02d}0800{i % 60:02d}", name,
                        f"080{rng.randrange(10**9):09d}", "Đã tiếp nhận"])


if __name__ == "__main__":
    main()
