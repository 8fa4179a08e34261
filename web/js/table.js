// The reservations table. Sorting is done on the rows already loaded: the API pages in check-in
// order only, so a sorted view covers what "Load more" has fetched so far (the status line says so).

import { longDate } from "./dates.js";

const NUMERIC = new Set(["reservation_id", "room_number", "nights"]);
const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

function serverOrder(a, b) {
  return (
    a.check_in.localeCompare(b.check_in) || a.room_number - b.room_number || a.reservation_id - b.reservation_id
  );
}

export function sortItems(items, sort) {
  const copy = [...items];
  if (!sort) return copy.sort(serverOrder);
  const sign = sort.direction === "descending" ? -1 : 1;
  const { key } = sort;
  return copy.sort((a, b) => {
    let order;
    if (NUMERIC.has(key)) order = a[key] - b[key];
    else if (key === "guest_name") order = collator.compare(a[key], b[key]);
    else order = String(a[key]).localeCompare(String(b[key]));
    return sign * order || serverOrder(a, b);
  });
}

/** Next sort after clicking `key`: ascending first, then it toggles. */
export function nextSort(current, key) {
  if (current && current.key === key) {
    return { key, direction: current.direction === "ascending" ? "descending" : "ascending" };
  }
  return { key, direction: "ascending" };
}

export function renderSortHeaders(thead, sort) {
  for (const th of thead.querySelectorAll("th[data-sort]")) {
    if (sort && th.dataset.sort === sort.key) th.setAttribute("aria-sort", sort.direction);
    else th.removeAttribute("aria-sort");
  }
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function messageRow(text, className) {
  const row = document.createElement("tr");
  const td = cell(text, className);
  td.colSpan = 7;
  row.append(td);
  return row;
}

/** Fills `tbody`; `state` is "loading", "empty", "empty-filtered" or "rows". */
export function renderRows(tbody, items, { state, highlightId = null }) {
  if (state === "loading") {
    tbody.replaceChildren(messageRow("Loading reservations…", "placeholder"));
    return;
  }
  if (items.length === 0) {
    const text =
      state === "empty-filtered"
        ? "No reservations match these filters."
        : "No reservations yet. Use “New reservation” or a free day in the grid.";
    tbody.replaceChildren(messageRow(text, "placeholder"));
    return;
  }
  const rows = items.map((r) => {
    const row = document.createElement("tr");
    row.dataset.reservationId = String(r.reservation_id);
    if (r.reservation_id === highlightId) row.className = "highlight";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button danger small delete";
    remove.textContent = "Delete";
    remove.dataset.reservationId = String(r.reservation_id);
    remove.setAttribute("aria-label", `Delete reservation ${r.reservation_id} (${r.guest_name})`);
    const checkIn = cell(r.check_in, "date");
    checkIn.title = longDate(r.check_in);
    const checkOut = cell(r.check_out, "date wide-only"); // on a phone: check-in and nights say it
    checkOut.title = longDate(r.check_out);
    const change = document.createElement("button");
    change.type = "button";
    change.className = "button secondary small change";
    change.textContent = "Change";
    change.dataset.reservationId = String(r.reservation_id);
    change.setAttribute("aria-label", `Change reservation ${r.reservation_id} (${r.guest_name})`);
    change.setAttribute("aria-haspopup", "dialog");
    const action = document.createElement("td");
    action.className = "actions";
    action.append(change, remove);
    row.append(
      cell(String(r.reservation_id), "num"),
      cell(r.guest_name, "guest"),
      cell(String(r.room_number), "num"),
      checkIn,
      checkOut,
      cell(String(r.nights), "num"),
      action,
    );
    return row;
  });
  tbody.replaceChildren(...rows);
}
