// Labels and colours for the statuses the core reports. Unknown values are
// shown as they come, so a new status never disappears from the screen.
import { i18n } from "./i18n.svelte";

const labels: Record<string, { vi: string; en: string; tone: string }> = {
  pending: { vi: "Chưa đối soát", en: "Not reconciled", tone: "muted" },
  matched: { vi: "Khớp", en: "Matched", tone: "ok" },
  match: { vi: "Khớp", en: "Matched", tone: "ok" },
  mismatch: { vi: "Có sai lệch", en: "Mismatch", tone: "bad" },
  incomplete: { vi: "Thiếu bản", en: "Incomplete", tone: "warn" },
  missing: { vi: "Thiếu", en: "Missing", tone: "warn" },
  paper_missing: { vi: "Thiếu bản giấy", en: "Paper missing", tone: "warn" },
  electronic_missing: { vi: "Thiếu bản điện tử", en: "Electronic missing", tone: "warn" },
  page_count_differs: { vi: "Số trang khác nhau", en: "Page count differs", tone: "bad" },
  page_unpaired: { vi: "Trang không khớp cặp", en: "Unpaired page", tone: "bad" },
  page_differs: { vi: "Trang có nội dung khác", en: "Page differs", tone: "bad" },
  byte_identical: { vi: "Trùng từng byte", en: "Byte-identical", tone: "ok" },
  same: { vi: "Giống", en: "Same", tone: "ok" },
  different: { vi: "Khác", en: "Different", tone: "bad" },
  odd_shape: { vi: "Sai định dạng mã", en: "Unusual code shape", tone: "warn" },
  bad_date: { vi: "Ngày trong mã không tồn tại", en: "Date in code does not exist", tone: "warn" },
  empty: { vi: "Chưa có bản nào", en: "No copies", tone: "muted" },
  unchecked: { vi: "Chưa đối soát", en: "Not reconciled", tone: "muted" },
  agrees: { vi: "Khớp", en: "Agrees", tone: "ok" },
  differs: { vi: "Có sai lệch", en: "Differs", tone: "bad" },
  open: { vi: "Chưa xử lý", en: "Open", tone: "bad" },
  acknowledged: { vi: "Đã ghi nhận", en: "Acknowledged", tone: "warn" },
  resolved: { vi: "Đã xử lý", en: "Resolved", tone: "ok" },
  unassigned: { vi: "Chưa đối soát được", en: "Cannot be reconciled", tone: "warn" },
};

export function statusLabel(s: string): string {
  const l = labels[s];
  return l ? l[i18n.lang] : s;
}

export function statusTone(s: string): string {
  return labels[s]?.tone ?? "muted";
}
