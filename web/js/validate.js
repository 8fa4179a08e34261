// The server's rules for a new reservation (reservations/domain/reservation.py and parsing.py), repeated here so a clerk sees a
// mistake before the round trip. The server stays the authority: anything it still refuses is shown
// next to the field it names.

import { addDays, isIsoDate, todayUtc } from "./dates.js";

export const RULES = Object.freeze({
  guestNameMax: 100,
  roomMin: 1,
  roomMax: 99_999,
  nightsMin: 1,
  nightsMax: 30,
  maxDaysAhead: 730,
  maxDaysBehind: 1,
});

// Python's unicodedata categories Cc, Cs, Zl, Zp plus zero-width space and BOM, as in domain/parsing.py.
const FORBIDDEN_CHARS = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u200b\ufeff]/u;
const DIGITS = /^[0-9]{1,16}$/;
const SIGNED = /^[+-][0-9]+$/; // a number, just not one in range: say the range, as the menu does
// Exactly the characters Python's str.isspace() accepts, which is what str.strip() removes; JavaScript's
// trim() differs (it strips U+FEFF but keeps U+001C..U+001F and U+0085).
const PY_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, "g");

export function pyStrip(text) {
  return String(text ?? "").replace(PY_STRIP, "");
}

function wholeNumber(text, label, low, high) {
  const trimmed = String(text ?? "").trim();
  if (trimmed === "") return { error: `${label} is required` };
  if (SIGNED.test(trimmed)) return { error: `${label} must be between ${low} and ${high}` };
  if (!DIGITS.test(trimmed)) return { error: `${label} must be a whole number` };
  const value = Number(trimmed);
  if (value < low || value > high) return { error: `${label} must be between ${low} and ${high}` };
  return { value };
}

export function checkGuestName(text) {
  const name = pyStrip(text);
  if (name === "") return { error: "Guest name is required" };
  // Count code points, as Python's len() does, not UTF-16 units.
  if ([...name].length > RULES.guestNameMax) {
    return { error: `Guest name must be at most ${RULES.guestNameMax} characters` };
  }
  if (FORBIDDEN_CHARS.test(name)) return { error: "Guest name must not contain control characters" };
  return { value: name };
}

export function checkRoom(text) {
  return wholeNumber(text, "Room", RULES.roomMin, RULES.roomMax);
}

export function checkNights(text) {
  return wholeNumber(text, "Nights", RULES.nightsMin, RULES.nightsMax);
}

export function checkCheckIn(text, today = todayUtc()) {
  const day = String(text ?? "");
  if (day === "") return { error: "Check-in is required" };
  if (!isIsoDate(day)) return { error: "Check-in must be a date as YYYY-MM-DD" };
  if (day < addDays(today, -RULES.maxDaysBehind)) return { error: "Check-in must not be in the past" };
  if (day > addDays(today, RULES.maxDaysAhead)) return { error: "Check-in must be at most two years ahead" };
  return { value: day };
}

/**
 * Checks the add form's raw strings. Returns {body} ready for POST /reservations, or {errors}
 * keyed by the API's field names.
 */
export function validateNewReservation(raw, today = todayUtc()) {
  const checks = {
    guest_name: checkGuestName(raw.guest_name),
    room_number: checkRoom(raw.room_number),
    nights: checkNights(raw.nights),
    check_in: checkCheckIn(raw.check_in, today),
  };
  const errors = {};
  const body = {};
  for (const [field, result] of Object.entries(checks)) {
    if ("error" in result) errors[field] = result.error;
    else body[field] = result.value;
  }
  return Object.keys(errors).length ? { errors } : { body };
}

/** The list filters: room and a [from, to) window, each optional. */
export function validateFilters(raw) {
  const errors = {};
  const params = {};
  const room = String(raw.room ?? "").trim();
  if (room !== "") {
    const result = wholeNumber(room, "Room", RULES.roomMin, RULES.roomMax);
    if ("error" in result) errors.room = result.error;
    else params.room = String(result.value);
  }
  for (const [field, label] of [["from", "From"], ["to", "To"]]) {
    const day = String(raw[field] ?? "").trim();
    if (day === "") continue;
    if (!isIsoDate(day)) errors[field] = `${label} must be a date as YYYY-MM-DD`;
    else params[field] = day;
  }
  if (params.from && params.to && params.to <= params.from) errors.to = "To must be after From";
  return Object.keys(errors).length ? { errors } : { params };
}
