// Channel calendars: the blocks a room's imported feeds hold (drawn on the grid by grid.js) and the
// panel listing each room's export feed URL (what Booking.com or Airbnb is given) and the feeds it
// imports with their last sync.  Only rooms that import a feed are asked for their blocks, so a
// hotel with a thousand rooms and two channel-connected ones costs two extra requests.

import { longDate } from "./dates.js";

const MAX_PARALLEL = 4;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "className") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

/** Each importing room's sync status (feeds, blocks), a few requests at a time. */
export async function loadSyncs(api, rooms) {
  const importing = rooms.filter((room) => (room.import_calendars ?? []).length > 0);
  const syncs = new Map();
  for (let i = 0; i < importing.length; i += MAX_PARALLEL) {
    const batch = importing.slice(i, i + MAX_PARALLEL);
    const answers = await Promise.all(batch.map((room) => api.roomSync(room.room_number)));
    for (const answer of answers) syncs.set(answer.room_number, answer);
  }
  return syncs;
}

/** Every block of the rooms' syncs that overlaps [start, end). */
export function blocksIn(syncs, start, end) {
  const blocks = [];
  for (const sync of syncs.values()) {
    for (const block of sync.blocks) {
      if (block.check_in < end && block.check_out > start) blocks.push(block);
    }
  }
  return blocks;
}

function hostOf(url) {
  try {
    return new URL(url).hostname || url;
  } catch {
    return url;
  }
}

function feedLine(feed) {
  const item = el("li", { className: "import" }, el("span", { className: "import-url" }, feed.url));
  let status = "Not synced yet";
  if (feed.synced_at) {
    const when = new Date(feed.synced_at).toLocaleString();
    const conflicts = (feed.conflicts ?? []).length;
    const events = feed.events ?? 0;
    status = `Synced ${when}: ${events} event${events === 1 ? "" : "s"}`;
    if (conflicts) {
      const first = feed.conflicts[0];
      status += `, ${conflicts} conflicting with a stay here (from ${longDate(first.check_in)})`;
    }
  }
  if (feed.error) status = `${feed.synced_at ? "Last sync failed" : "Sync failed"}: ${feed.error}`;
  const classes = feed.error || (feed.conflicts ?? []).length ? "sync-status problem" : "sync-status";
  item.append(el("span", { className: classes }, `${hostOf(feed.url)} — ${status}`));
  return item;
}

function roomRow(room, sync) {
  const feedCell = el("td", { className: "feed" });
  if (room.calendar_url) {
    const input = el("input", {
      className: "feed-url",
      readonly: "",
      value: room.calendar_url,
      "aria-label": `Room ${room.room_number} feed URL`,
      spellcheck: "false",
    });
    input.addEventListener("focus", () => input.select());
    feedCell.append(input);
  } else {
    feedCell.append(el("span", { className: "muted" }, "None yet: save the room again to get one"));
  }
  const importsCell = el("td", { className: "imports" });
  const urls = room.import_calendars ?? [];
  if (urls.length === 0) {
    importsCell.append(el("span", { className: "muted" }, "None"));
  } else {
    const feeds = sync ? sync.feeds : urls.map((url) => ({ url, synced_at: null }));
    importsCell.append(el("ul", { className: "import-list" }, ...feeds.map(feedLine)));
  }
  return el(
    "tr",
    { "data-room": String(room.room_number) },
    el("th", { scope: "row" }, String(room.room_number)),
    feedCell,
    importsCell,
  );
}

/** Fills the panel's table body; hides the panel for a customer with no defined room. */
export function renderChannels(section, body, rooms, syncs) {
  section.hidden = rooms.length === 0;
  body.replaceChildren(...rooms.map((room) => roomRow(room, syncs.get(room.room_number))));
}
