// Calendar dates as "YYYY-MM-DD" strings, the API's format. Arithmetic runs in UTC so a
// daylight-saving change in the clerk's time zone can never turn one night into 23 hours.

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

function toMs(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  // setUTCFullYear, not Date.UTC: the latter maps years 0-99 to 1900-1999.
  const day = new Date(0);
  day.setUTCFullYear(y, m - 1, d);
  return day.getTime();
}

function fromMs(ms) {
  const day = new Date(ms);
  const pad = (n, width) => String(n).padStart(width, "0");
  return `${pad(day.getUTCFullYear(), 4)}-${pad(day.getUTCMonth() + 1, 2)}-${pad(day.getUTCDate(), 2)}`;
}

/** True for a real calendar date written as YYYY-MM-DD (rejects 2026-02-30). */
export function isIsoDate(text) {
  if (typeof text !== "string" || !ISO_DATE.test(text)) return false;
  const ms = toMs(text);
  return Number.isFinite(ms) && fromMs(ms) === text;
}

export function addDays(iso, days) {
  return fromMs(toMs(iso) + days * DAY_MS);
}

/** Whole days from `a` to `b` (negative when b is earlier). */
export function daysBetween(a, b) {
  return Math.round((toMs(b) - toMs(a)) / DAY_MS);
}

/** The server validates check-in against the UTC date, so the form must too. */
export function todayUtc(now = new Date()) {
  return now.toISOString().slice(0, 10);
}

/** The clerk's own calendar day: what "today" means on the grid. */
export function todayLocal(now = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", timeZone: "UTC" });
const dayMonthFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
const longFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});

export function weekday(iso) {
  return weekdayFormat.format(toMs(iso));
}

export function dayMonth(iso) {
  return dayMonthFormat.format(toMs(iso));
}

export function longDate(iso) {
  return longFormat.format(toMs(iso));
}
