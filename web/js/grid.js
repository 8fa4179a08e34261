// The occupancy grid: rooms (rows) by days (columns). A stay is one cell spanning its nights, so a
// screen reader reads it as one thing and the browser lays the bar out with no arithmetic in CSS.
// Keyboard: one tab stop for the whole grid; arrow keys, Home and End move between cells.

import { addDays, dayMonth, daysBetween, longDate, weekday } from "./dates.js";

export const GRID_DAYS = 14;
const MAX_ROOMS_FROM_TEXT = 500;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "className") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

/**
 * Parses "101-105, 201" into sorted room numbers. Returns {rooms} or {error}; a range is capped so a
 * typo such as 1-99999 cannot build a grid the browser chokes on.
 */
export function parseRooms(text) {
  const rooms = new Set();
  const parts = String(text ?? "")
    .split(/[\s,;]+/)
    .filter(Boolean);
  for (const part of parts) {
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    if (!match) return { error: `“${part}” is not a room number or a range such as 101-110` };
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (low < 1 || high < low) return { error: `“${part}” is not a valid range` };
    if (high - low + 1 + rooms.size > MAX_ROOMS_FROM_TEXT) {
      return { error: `Show at most ${MAX_ROOMS_FROM_TEXT} rooms at once` };
    }
    for (let room = low; room <= high; room += 1) rooms.add(room);
  }
  return { rooms: [...rooms].sort((a, b) => a - b) };
}

/**
 * Lays each room's stays and channel blocks on day indexes [0, days); overlaps (never expected: the
 * server gives a night to one holder) keep the first.
 */
function layout(reservations, blocks, start, days) {
  const byRoom = new Map();
  const entries = [
    ...reservations.map((r) => ({ item: r, reservation: r, order: r.reservation_id })),
    ...blocks.map((b) => ({ item: b, block: b, order: -b.block_id })),
  ].sort((a, b) => a.item.check_in.localeCompare(b.item.check_in) || a.order - b.order);
  for (const entry of entries) {
    const { item } = entry;
    const from = Math.max(0, daysBetween(start, item.check_in));
    const to = Math.min(days, daysBetween(start, item.check_out));
    if (to <= from) continue;
    const held = byRoom.get(item.room_number) ?? [];
    const last = held[held.length - 1];
    if (last && from < last.to) continue;
    held.push({ from, to, reservation: entry.reservation, block: entry.block });
    byRoom.set(item.room_number, held);
  }
  return byRoom;
}

function headerRow(start, days, today) {
  const row = el("tr", {}, el("th", { scope: "col", className: "room-head" }, "Room"));
  for (let i = 0; i < days; i += 1) {
    const day = addDays(start, i);
    const th = el(
      "th",
      { scope: "col", className: day === today ? "day today" : "day", dataset: { day } },
      el("span", { className: "weekday" }, weekday(day)),
      el("span", { className: "date" }, dayMonth(day)),
    );
    if (day === today) {
      th.setAttribute("aria-current", "date");
      th.append(el("span", { className: "today-tag" }, "Today"));
    }
    row.append(th);
  }
  return row;
}

function stayCell(stay, start, days, today) {
  const r = stay.reservation;
  const nights = `${r.nights} night${r.nights === 1 ? "" : "s"}`;
  const summary = `${r.guest_name}, reservation ${r.reservation_id}, ${longDate(r.check_in)} to ${longDate(r.check_out)}, ${nights}`;
  // A button in all but name (a span keeps the grid's cell layout): Enter, Space or a click opens
  // the change dialog (app.js).
  const bar = el(
    "span",
    {
      className: "bar",
      tabindex: "-1",
      role: "button",
      "aria-haspopup": "dialog",
      draggable: "true", // dropped on a free day: the change dialog opens with that room and day
      title: `${summary}. Change it`,
      dataset: { reservationId: String(r.reservation_id) },
    },
    el("span", { className: "guest" }, r.guest_name),
    el("span", { className: "visually-hidden" }, `, reservation ${r.reservation_id}, ${longDate(r.check_in)} to ${longDate(r.check_out)}, ${nights}`),
  );
  const td = el("td", { className: spanClasses("stay", stay, r, start, days, today), dataset: { from: String(stay.from), to: String(stay.to) } }, bar);
  if (stay.to - stay.from > 1) td.colSpan = stay.to - stay.from;
  return td;
}

function spanClasses(kind, entry, item, start, days, today) {
  const classes = [kind];
  if (entry.from === 0 && item.check_in < start) classes.push("continues-before");
  if (entry.to === days && item.check_out > addDays(start, days)) classes.push("continues-after");
  const index = daysBetween(start, today);
  if (index >= entry.from && index < entry.to) classes.push("has-today");
  return classes.join(" ");
}

/** Nights a channel holds (its calendar feed): not ours to change, so a stop for the arrows only. */
function blockCell(entry, start, days, today) {
  const b = entry.block;
  const count = daysBetween(b.check_in, b.check_out);
  const nights = `${count} night${count === 1 ? "" : "s"}`;
  const summary = `Room ${b.room_number}: held by ${b.source} (channel calendar), ${longDate(b.check_in)} to ${longDate(b.check_out)}, ${nights}`;
  const bar = el(
    "span",
    { className: "block-bar", tabindex: "-1", role: "img", "aria-label": summary, title: summary, dataset: { blockId: String(b.block_id) } },
    el("span", { className: "source", "aria-hidden": "true" }, b.source),
  );
  const td = el("td", { className: spanClasses("block", entry, b, start, days, today), dataset: { from: String(entry.from), to: String(entry.to) } }, bar);
  if (entry.to - entry.from > 1) td.colSpan = entry.to - entry.from;
  return td;
}

function pastCell(room, day, index) {
  // The server refuses check-ins before yesterday (UTC): nothing to book, but still a stop for the arrows.
  const label = `Room ${room}, ${longDate(day)}: free, in the past`;
  const slot = el("span", { className: "past-slot", tabindex: "-1", role: "img", "aria-label": label });
  return el("td", { className: "free past", dataset: { from: String(index), to: String(index + 1) } }, slot);
}

function freeCell(room, day, index, today) {
  const label = `Room ${room}, ${longDate(day)}: free. Book it`;
  const button = el(
    "button",
    { type: "button", className: "free-slot", tabindex: "-1", "aria-label": label, title: label, dataset: { room: String(room), day } },
    el("span", { "aria-hidden": "true" }, "+"),
  );
  const td = el(
    "td",
    { className: day === today ? "free today" : "free", dataset: { from: String(index), to: String(index + 1) } },
    button,
  );
  return td;
}

/**
 * The rows: every defined room and every room with a stay in the window, narrowed to `rooms` when
 * the clerk typed some ("Rooms to show" is then a filter).  A customer without defined rooms sees
 * the rooms with a stay plus those typed, as before rooms existed.
 */
export function gridRooms({ definedRooms = [], rooms = [], stayRooms = [] }) {
  const byNumber = (a, b) => a - b;
  if (definedRooms.length === 0) return [...new Set([...rooms, ...stayRooms])].sort(byNumber);
  const every = [...new Set([...definedRooms, ...stayRooms])].sort(byNumber);
  if (rooms.length === 0) return every;
  const wanted = new Set(rooms);
  return every.filter((room) => wanted.has(room));
}

/**
 * Renders the grid into `table`, stays and channel blocks (`blocks`, from channels.js) alike.
 * Returns the number of rooms shown. `definedRooms` are the customer's rooms, `rooms` those typed in
 * "Rooms to show" (see gridRooms); rooms in `free` (a Set, from "Find a free room") are highlighted.
 */
export function renderGrid(
  table,
  { start, days = GRID_DAYS, rooms = [], definedRooms = [], free = null, reservations = [], blocks = [], today, firstBookable },
) {
  const byRoom = layout(reservations, blocks, start, days);
  const allRooms = gridRooms({ definedRooms, rooms, stayRooms: [...byRoom.keys()] });
  const end = addDays(start, days);

  const caption = el("caption", { className: "visually-hidden" }, `Occupancy of ${allRooms.length} rooms from ${longDate(start)} to ${longDate(addDays(end, -1))}`);
  const colgroup = el("colgroup", {}, el("col", { className: "room-col" }));
  for (let i = 0; i < days; i += 1) {
    colgroup.append(el("col", { className: addDays(start, i) === today ? "day-col today" : "day-col" }));
  }
  const thead = el("thead", {}, headerRow(start, days, today));
  const tbody = el("tbody");
  for (const room of allRooms) {
    const head = el("th", { scope: "row", className: "room" }, String(room));
    const row = el("tr", { dataset: { room: String(room) } }, head);
    if (free && free.has(room)) {
      row.className = "available";
      head.append(el("span", { className: "free-tag" }, "Free"));
    }
    const stays = byRoom.get(room) ?? [];
    let next = 0;
    for (let i = 0; i < days; ) {
      const stay = stays[next];
      if (stay && stay.from === i) {
        row.append(stay.block ? blockCell(stay, start, days, today) : stayCell(stay, start, days, today));
        i = stay.to;
        next += 1;
      } else if (firstBookable && addDays(start, i) < firstBookable) {
        row.append(pastCell(room, addDays(start, i), i));
        i += 1;
      } else {
        row.append(freeCell(room, addDays(start, i), i, today));
        i += 1;
      }
    }
    tbody.append(row);
  }
  table.replaceChildren(caption, colgroup, thead, tbody);
  const first = table.querySelector("tbody td > [tabindex]");
  if (first) first.tabIndex = 0;
  return allRooms.length;
}

function cellTarget(td) {
  return td.querySelector("[tabindex]");
}

function moveFocus(from, to) {
  if (!to) return;
  const target = cellTarget(to);
  if (!target) return;
  const current = cellTarget(from);
  if (current) current.tabIndex = -1;
  target.tabIndex = 0;
  target.focus();
}

function cellCovering(row, index) {
  if (!row) return null;
  for (const td of row.querySelectorAll("td")) {
    if (Number(td.dataset.from) <= index && index < Number(td.dataset.to)) return td;
  }
  return null;
}

/** Arrow-key movement across the grid (ARIA grid-like, one tab stop); Enter/Space activate natively. */
export function enableGridKeyboard(table) {
  table.addEventListener("keydown", (event) => {
    const td = event.target.closest("tbody td");
    if (!td || !table.contains(td)) return;
    const row = td.parentElement;
    const cells = [...row.querySelectorAll("td")];
    const position = cells.indexOf(td);
    const from = Number(td.dataset.from);
    let target = null;
    switch (event.key) {
      case "ArrowRight":
        target = cells[position + 1];
        break;
      case "ArrowLeft":
        target = cells[position - 1];
        break;
      case "ArrowDown":
        target = cellCovering(row.nextElementSibling, from);
        break;
      case "ArrowUp":
        target = cellCovering(row.previousElementSibling, from);
        break;
      case "Home":
        target = cells[0];
        break;
      case "End":
        target = cells[cells.length - 1];
        break;
      default:
        return;
    }
    event.preventDefault();
    moveFocus(td, target);
  });
  // Clicking a cell makes it the grid's tab stop, so Tab back into the grid returns there.
  table.addEventListener("focusin", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLElement) || !target.closest("tbody td")) return;
    for (const other of table.querySelectorAll('tbody [tabindex="0"]')) {
      if (other !== target) other.tabIndex = -1;
    }
    target.tabIndex = 0;
  });
}

/** Drag a stay onto a free day: `onDrop(id, {room, checkIn})` (the page opens the change dialog there). */
export function enableGridDrops(grid, onDrop) {
  const target = (event) => event.target.closest("td.free:not(.past)");
  grid.addEventListener("dragstart", (event) => {
    const stay = event.target.closest(".bar");
    if (!stay) return;
    event.dataTransfer.setData("text/plain", stay.dataset.reservationId);
    event.dataTransfer.effectAllowed = "move";
  });
  grid.addEventListener("dragover", (event) => {
    const cell = target(event);
    if (!cell) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    cell.classList.add("drop-target");
  });
  grid.addEventListener("dragleave", (event) => {
    const cell = target(event);
    if (cell) cell.classList.remove("drop-target");
  });
  grid.addEventListener("drop", (event) => {
    const cell = target(event);
    if (!cell) return;
    event.preventDefault();
    cell.classList.remove("drop-target");
    const slot = cell.querySelector("button.free-slot");
    const id = event.dataTransfer.getData("text/plain");
    if (slot && id) onDrop(id, { room: slot.dataset.room, checkIn: slot.dataset.day });
  });
}
