// Dates are shown the Vietnamese way, dd/mm/yyyy, in both languages: the
// clerks' paper forms use that order.

/** `2022-11-25`, `2022-11-25T08:30:00+07:00` or `20221125083000` → `25/11/2022`. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return "—";
  let m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})/.exec(value);
  if (!m) return value;
  return `${m[3]}/${m[2]}/${m[1]}`;
}

/** Vietnam's offset from UTC: the core shows times in it (ICT, no DST). */
const VN_OFFSET_MS = 7 * 3600 * 1000;

/** Same, with the time of day: `25/11/2022 08:30`. A moment with a zone
 * (`…Z`, `…+00:00`, as the core records events) is shown in Vietnam time,
 * like the history's; a time without one is shown as written. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) {
      const t = new Date(ms + VN_OFFSET_MS);
      const p = (n: number) => String(n).padStart(2, "0");
      return `${p(t.getUTCDate())}/${p(t.getUTCMonth() + 1)}/${t.getUTCFullYear()} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}`;
    }
  }
  const d = formatDate(value);
  const m = /[T ](\d{2}):(\d{2})/.exec(value);
  return m ? `${d} ${m[1]}:${m[2]}` : d;
}

/** `dd/mm/yyyy` typed by a clerk → `yyyy-mm-dd`, or null when it is not a date. */
export function parseDate(value: string): string | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(value);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${y}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** A share as a percentage with one decimal: `60,0%` in Vietnamese (decimal comma), `60.0%` in English. */
export function formatPercent(x: number | null | undefined, lang: "vi" | "en"): string {
  if (x === null || x === undefined) return "—";
  const s = `${(x * 100).toFixed(1)}%`;
  return lang === "vi" ? s.replace(".", ",") : s;
}

/** A month key `2022-11` → `11/2022`. */
export function formatMonth(key: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  return m ? `${m[2]}/${m[1]}` : key;
}
