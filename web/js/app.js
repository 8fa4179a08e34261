// Wires the page: sign-in, the occupancy grid, the table, the add, change and delete dialogs, and
// "find a free room".
// Credentials live in sessionStorage only (this tab, until sign-out or close); no secret is in the source.

import { ApiError, allRooms, createApi, listAll, normaliseBase } from "./api.js";
import { createChangeDialog } from "./change.js";
import { blocksIn, loadSyncs, renderChannels } from "./channels.js";
import { createFreeFinder } from "./free.js";
import { createList } from "./list.js";
import { addDays, isIsoDate, longDate, todayLocal, todayUtc } from "./dates.js";
import { createDialogs } from "./dialogs.js";
import { clearFormErrors, describe, setFormError, showErrors } from "./forms.js";
import { GRID_DAYS, enableGridDrops, enableGridKeyboard, parseRooms, renderGrid } from "./grid.js";
import { RULES } from "./validate.js";

const SESSION_KEY = "reservations.session";
const $ = (id) => document.getElementById(id);

const state = {
  api: null,
  defaultBase: "",
  grid: { start: todayLocal(), extraRooms: [], definedRooms: [], items: [], blocks: [], free: null, seq: 0 },
};
let dialogs = null;
let changeDialog = null;
let freeFinder = null;
let list = null;

// ------------------------------------------------------------------ session

function readSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
    if (saved && typeof saved.customer === "string" && typeof saved.apiKey === "string") return saved;
  } catch {
    // A damaged entry is as good as none.
  }
  sessionStorage.removeItem(SESSION_KEY);
  return null;
}

function roomsKey(customer) {
  return `reservations.rooms.${customer}`;
}

async function loadConfig() {
  // Deployments apart from the API (an S3 bucket) ship config.json naming the API; it holds no secret.
  try {
    const response = await fetch("config.json", { cache: "no-store", credentials: "omit" });
    if (!response.ok) return;
    const config = await response.json();
    if (config && typeof config.api_base_url === "string") state.defaultBase = config.api_base_url;
  } catch {
    // Optional file.
  }
}

function showSignIn(message) {
  $("app-view").hidden = true;
  $("who").hidden = true;
  $("sign-in-view").hidden = false;
  const form = $("sign-in-form");
  clearFormErrors(form);
  if (message) setFormError($("sign-in-error"), message);
  const base = form.elements.api_base;
  if (!base.value && state.defaultBase) base.value = state.defaultBase;
  $("api-base-details").open = Boolean(base.value);
  (form.elements.customer.value ? form.elements.api_key : form.elements.customer).focus();
}

function signOut(message = null) {
  sessionStorage.removeItem(SESSION_KEY);
  state.api = null;
  state.grid = { start: todayLocal(), extraRooms: [], definedRooms: [], items: [], blocks: [], free: null, seq: state.grid.seq + 1 };
  freeFinder.reset();
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  $("sign-in-form").elements.api_key.value = "";
  list.reset();
  $("grid").replaceChildren();
  renderChannels($("channels"), $("channels-body"), [], new Map());
  $("notice").textContent = "";
  showSignIn(message);
}

function enterApp(session) {
  state.api = createApi(session);
  $("who-customer").textContent = session.customer;
  $("who").hidden = false;
  $("sign-in-view").hidden = true;
  $("app-view").hidden = false;
  $("filters").reset();
  clearFormErrors($("filters"));
  const rooms = localStorage.getItem(roomsKey(session.customer)) || "";
  $("grid-rooms").value = rooms;
  state.grid.extraRooms = parseRooms(rooms).rooms || [];
  $("grid-start").value = state.grid.start;
  freeFinder.reset();
  $("occupancy-title").focus();
  loadGrid();
  list.load();
}

async function onSignIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormErrors(form);
  const customer = form.elements.customer.value.trim();
  const apiKey = form.elements.api_key.value.trim();
  const errors = {};
  if (!customer) errors.customer = "Customer is required";
  if (!apiKey) errors.api_key = "API key is required";
  let base = "";
  try {
    base = normaliseBase(form.elements.api_base.value);
  } catch (error) {
    errors.api_base = error.message;
    $("api-base-details").open = true;
  }
  if (Object.keys(errors).length) {
    showErrors(form, errors);
    return;
  }
  const submit = $("sign-in-submit");
  submit.disabled = true;
  const session = { base, customer, apiKey };
  try {
    await createApi(session).list({ limit: 1 });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    setFormError($("sign-in-error"), describe(error, { withRequestId: false }));
    (error.signsOut ? form.elements.api_key : form.elements.customer).focus();
    return;
  } finally {
    submit.disabled = false;
  }
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  form.elements.api_key.value = "";
  enterApp(session);
}

/** Common handling: a refused key ends the session; anything else is shown in `box`. */
function reportError(error, box) {
  if (!(error instanceof ApiError)) throw error;
  if (error.signsOut) {
    signOut(error.message);
    return;
  }
  setFormError(box, describe(error));
}

function notify(text) {
  $("notice").textContent = text;
}

// ------------------------------------------------------------------ grid

function drawGrid() {
  const shown = renderGrid($("grid"), {
    start: state.grid.start,
    days: GRID_DAYS,
    rooms: state.grid.extraRooms,
    definedRooms: state.grid.definedRooms,
    free: state.grid.free,
    reservations: state.grid.items,
    blocks: state.grid.blocks,
    today: todayLocal(),
    firstBookable: addDays(todayUtc(), -RULES.maxDaysBehind),
  });
  const status = $("grid-status");
  status.hidden = shown > 0;
  let empty = `No stays from ${longDate(state.grid.start)} for 14 days. Type room numbers in “Rooms to show” to see free rooms, or use “New reservation”.`;
  if (state.grid.definedRooms.length) empty = "None of your rooms matches “Rooms to show”.";
  status.textContent = shown ? "" : empty;
}

async function loadGrid() {
  if (!state.api) return;
  const seq = ++state.grid.seq;
  const api = state.api;
  setFormError($("grid-error"), null);
  $("grid-scroll").setAttribute("aria-busy", "true");
  try {
    const [{ items, complete }, rooms] = await Promise.all([
      listAll(api, { from: state.grid.start, to: addDays(state.grid.start, GRID_DAYS) }),
      allRooms(api),
    ]);
    const syncs = await loadSyncs(api, rooms); // the channels' blocks, for rooms that import feeds
    if (seq !== state.grid.seq || api !== state.api) return;
    state.grid.items = items;
    state.grid.blocks = blocksIn(syncs, state.grid.start, addDays(state.grid.start, GRID_DAYS));
    renderChannels($("channels"), $("channels-body"), rooms, syncs);
    state.grid.definedRooms = rooms.map((room) => room.room_number);
    drawGrid();
    if (!complete) setFormError($("grid-error"), "Too many stays in these 14 days to draw them all.");
  } catch (error) {
    if (seq === state.grid.seq && api === state.api) reportError(error, $("grid-error"));
  } finally {
    if (seq === state.grid.seq) $("grid-scroll").setAttribute("aria-busy", "false");
  }
}

function moveGrid(start) {
  state.grid.start = start;
  $("grid-start").value = start;
  loadGrid();
}

function onGridControls(event) {
  event.preventDefault();
  const form = $("grid-controls");
  clearFormErrors(form);
  const parsed = parseRooms(form.elements.rooms.value);
  if (parsed.error) {
    showErrors(form, { rooms: parsed.error });
    return;
  }
  state.grid.extraRooms = parsed.rooms;
  if (state.api) localStorage.setItem(roomsKey(state.api.customer), form.elements.rooms.value.trim());
  const start = form.elements.start.value;
  if (start) moveGrid(start);
  else showErrors(form, { start: "Start date is required" });
}

/** Keeps the grid in step after an add, change or delete, without asking the server again. */
function gridAfterChange({ added = null, removedId = null }) {
  if (removedId !== null) state.grid.items = state.grid.items.filter((r) => r.reservation_id !== removedId);
  freeFinder.refresh(); // a booking, move or cancellation changes which rooms are free
  if (added) {
    const end = addDays(state.grid.start, GRID_DAYS);
    if (added.check_in < end && added.check_out > state.grid.start) state.grid.items = [...state.grid.items, added];
  }
  drawGrid();
}

// ------------------------------------------------------------------ wiring

function wire() {
  dialogs = createDialogs({
    api: () => state.api,
    notify,
    signOut,
    added(created) {
      gridAfterChange({ added: created });
      list.added(created);
    },
    deleted(id) {
      list.deleted(id);
      gridAfterChange({ removedId: id });
      $("reservations-title").focus();
    },
  });
  changeDialog = createChangeDialog({
    api: () => state.api,
    notify,
    signOut,
    changed(changed) {
      list.changed(changed);
      gridAfterChange({ removedId: changed.reservation_id, added: changed });
    },
    deleted(id) {
      list.deleted(id);
      gridAfterChange({ removedId: id });
    },
  });
  $("sign-in-form").addEventListener("submit", onSignIn);
  $("sign-out").addEventListener("click", () => signOut());
  $("new-reservation").addEventListener("click", () => dialogs.openAdd());
  $("grid-controls").addEventListener("submit", onGridControls);
  $("grid-start").addEventListener("change", (e) => {
    if (isIsoDate(e.target.value) && e.target.value >= "1970") moveGrid(e.target.value);
  });
  $("grid-prev").addEventListener("click", () => moveGrid(addDays(state.grid.start, -GRID_DAYS)));
  $("grid-next").addEventListener("click", () => moveGrid(addDays(state.grid.start, GRID_DAYS)));
  $("grid-today").addEventListener("click", () => moveGrid(todayLocal()));
  enableGridKeyboard($("grid"));
  $("grid").addEventListener("click", (event) => {
    const slot = event.target.closest("button.free-slot");
    if (slot) dialogs.openAdd({ room: slot.dataset.room, checkIn: slot.dataset.day });
    const stay = event.target.closest(".bar");
    if (stay) openChange(state.grid.items, stay.dataset.reservationId);
  });
  enableGridDrops($("grid"), (id, moveTo) => openChange(state.grid.items, id, moveTo));
  $("grid").addEventListener("keydown", (event) => {
    const stay = event.target.closest(".bar");
    if (!stay || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    openChange(state.grid.items, stay.dataset.reservationId);
  });
  freeFinder = createFreeFinder({
    api: () => state.api,
    signOut,
    window: () => ({ start: state.grid.start, end: addDays(state.grid.start, GRID_DAYS) }),
    show(free, checkIn) {
      state.grid.free = free;
      if (checkIn) moveGrid(checkIn);
      else drawGrid();
    },
  });
  list = createList({ api: () => state.api, reportError });
  $("list-body").addEventListener("click", (event) => {
    const change = event.target.closest("button.change");
    if (change) openChange(list.items, change.dataset.reservationId);
    const button = event.target.closest("button.delete");
    if (!button) return;
    const id = Number(button.dataset.reservationId);
    const reservation = list.items.find((r) => r.reservation_id === id);
    if (reservation) dialogs.openDelete(reservation);
  });
}

function openChange(items, id, moveTo = null) {
  const reservation = items.find((r) => r.reservation_id === Number(id));
  if (reservation) changeDialog.open(reservation, moveTo);
}

async function start() {
  wire();
  $("sign-in-submit").disabled = false;
  await loadConfig();
  const session = readSession();
  try {
    if (session) enterApp(session);
    else showSignIn();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    signOut(error.message); // a stored session whose API base URL is not valid any more
  }
  document.documentElement.dataset.ready = "true";
}

start();
