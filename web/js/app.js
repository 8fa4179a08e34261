// Wires the page: sign-in, the occupancy grid, the table, the add and delete dialogs.
// Credentials live in sessionStorage only (this tab, until sign-out or close); no secret is in the source.

import { ApiError, createApi, listAll, newIdempotencyKey, normaliseBase } from "./api.js";
import { addDays, longDate, todayLocal } from "./dates.js";
import { clearFormErrors, describe, setFieldError, setFormError, showErrors } from "./forms.js";
import { GRID_DAYS, enableGridKeyboard, parseRooms, renderGrid } from "./grid.js";
import { nextSort, renderRows, renderSortHeaders, sortItems } from "./table.js";
import { checkCheckIn, validateFilters, validateNewReservation } from "./validate.js";

const SESSION_KEY = "reservations.session";
const $ = (id) => document.getElementById(id);

const state = {
  api: null,
  defaultBase: "",
  list: { items: [], nextCursor: null, params: {}, sort: null, loading: false, seq: 0, highlightId: null },
  grid: { start: todayLocal(), extraRooms: [], items: [], seq: 0 },
  add: { inFlight: false, attempt: null },
  pendingDelete: null,
};

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
  state.list = { items: [], nextCursor: null, params: {}, sort: null, loading: false, seq: state.list.seq + 1, highlightId: null };
  state.grid = { start: todayLocal(), extraRooms: [], items: [], seq: state.grid.seq + 1 };
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  $("sign-in-form").elements.api_key.value = "";
  $("list-body").replaceChildren();
  $("grid").replaceChildren();
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
  $("occupancy-title").focus();
  loadGrid();
  loadList();
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
    setFormError($("sign-in-error"), describe(error));
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
    reservations: state.grid.items,
    today: todayLocal(),
  });
  const status = $("grid-status");
  status.hidden = shown > 0;
  status.textContent = shown
    ? ""
    : `No stays from ${longDate(state.grid.start)} for 14 days. Type room numbers in “Rooms to show” to see free rooms, or use “New reservation”.`;
}

async function loadGrid() {
  if (!state.api) return;
  const seq = ++state.grid.seq;
  const api = state.api;
  setFormError($("grid-error"), null);
  $("grid-scroll").setAttribute("aria-busy", "true");
  try {
    const { items, complete } = await listAll(api, { from: state.grid.start, to: addDays(state.grid.start, GRID_DAYS) });
    if (seq !== state.grid.seq || api !== state.api) return;
    state.grid.items = items;
    drawGrid();
    if (!complete) setFormError($("grid-error"), "Too many stays to draw them all; narrow the rooms shown.");
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

/** Keeps the grid in step after an add or delete, without asking the server again. */
function gridAfterChange({ added = null, removedId = null }) {
  if (removedId !== null) state.grid.items = state.grid.items.filter((r) => r.reservation_id !== removedId);
  if (added) {
    const end = addDays(state.grid.start, GRID_DAYS);
    if (added.check_in < end && added.check_out > state.grid.start) state.grid.items = [...state.grid.items, added];
  }
  drawGrid();
}

// ------------------------------------------------------------------ table

function drawList() {
  const { items, nextCursor, sort, loading, params, highlightId } = state.list;
  const filtered = Object.keys(params).length > 0;
  let view = "rows";
  if (loading && items.length === 0) view = "loading";
  else if (items.length === 0) view = filtered ? "empty-filtered" : "empty";
  renderRows($("list-body"), sortItems(items, sort), { state: view, highlightId });
  renderSortHeaders($("list").tHead, sort);
  $("load-more").hidden = !nextCursor;
  $("load-more").disabled = loading;
  $("list-scroll").setAttribute("aria-busy", String(loading));
  let status = "";
  if (loading) status = items.length ? "Loading more…" : "";
  else if (items.length) {
    const noun = items.length === 1 ? "reservation" : "reservations";
    status = nextCursor ? `Showing ${items.length} ${noun}; more to load.` : `Showing ${items.length} ${noun}.`;
    if (nextCursor && sort) status += " Sorting covers the loaded rows only.";
  }
  $("list-status").textContent = status;
}

async function loadList({ append = false } = {}) {
  if (!state.api) return;
  const list = state.list;
  const seq = ++list.seq;
  const api = state.api;
  if (!append) {
    list.items = [];
    list.nextCursor = null;
  }
  list.loading = true;
  setFormError($("list-error"), null);
  drawList();
  try {
    const page = await api.list({ ...list.params, cursor: append ? list.nextCursor : null });
    if (seq !== list.seq || api !== state.api) return;
    const known = new Set(list.items.map((r) => r.reservation_id));
    list.items = [...list.items, ...page.items.filter((r) => !known.has(r.reservation_id))];
    list.nextCursor = page.next_cursor;
  } catch (error) {
    if (seq === list.seq && api === state.api) reportError(error, $("list-error"));
  } finally {
    if (seq === list.seq) {
      list.loading = false;
      if (state.api) drawList();
    }
  }
}

function onFilters(event) {
  event.preventDefault();
  const form = $("filters");
  clearFormErrors(form);
  const result = validateFilters({ room: form.elements.room.value, from: form.elements.from.value, to: form.elements.to.value });
  if (result.errors) {
    showErrors(form, result.errors);
    return;
  }
  state.list.params = result.params;
  loadList();
}

// ------------------------------------------------------------------ add

function updateCheckOut() {
  const form = $("add-form");
  const nights = Number(form.elements.nights.value.trim());
  const checkIn = checkCheckIn(form.elements.check_in.value);
  const out = $("add-check-out");
  if ("value" in checkIn && Number.isInteger(nights) && nights >= 1 && nights <= 30) {
    out.textContent = `Check-out ${longDate(addDays(checkIn.value, nights))}`;
  } else {
    out.textContent = "";
  }
}

function openAdd({ room = "", checkIn = "" } = {}) {
  const form = $("add-form");
  form.reset();
  clearFormErrors(form);
  state.add.attempt = null;
  form.elements.room_number.value = room;
  form.elements.check_in.value = checkIn || todayLocal();
  form.elements.nights.value = "1";
  updateCheckOut();
  $("add-dialog").showModal();
  form.elements.guest_name.focus();
}

function conflictDetails(error) {
  const holder = error.body && error.body.conflicting_reservation;
  const box = document.createElement("div");
  const line = document.createElement("p");
  line.textContent = error.message;
  box.append(line);
  if (holder && typeof holder === "object") {
    const more = document.createElement("p");
    more.className = "conflict";
    more.textContent = `Colliding reservation ${holder.reservation_id}: ${holder.guest_name}, room ${holder.room_number}, ${longDate(holder.check_in)} to ${longDate(holder.check_out)}.`;
    box.append(more);
  }
  return box;
}

async function onAddSubmit(event) {
  event.preventDefault();
  if (state.add.inFlight || !state.api) return;
  const form = $("add-form");
  clearFormErrors(form);
  const raw = Object.fromEntries(["guest_name", "room_number", "nights", "check_in"].map((n) => [n, form.elements[n].value]));
  const result = validateNewReservation(raw);
  if (result.errors) {
    showErrors(form, result.errors);
    return;
  }
  // One key per distinct submission: re-sending the same reservation (a retry after a lost answer, a
  // second click) reuses it, so the server books once and replays its first answer.
  const payload = JSON.stringify(result.body);
  if (!state.add.attempt || state.add.attempt.payload !== payload) {
    state.add.attempt = { payload, key: newIdempotencyKey() };
  }
  state.add.inFlight = true;
  const submit = $("add-submit");
  submit.disabled = true;
  submit.textContent = "Booking…";
  try {
    const created = await state.api.add(result.body, state.add.attempt.key);
    state.add.attempt = null;
    $("add-dialog").close();
    notify(`Booked reservation ${created.reservation_id}: ${created.guest_name}, room ${created.room_number}, ${longDate(created.check_in)} to ${longDate(created.check_out)}.`);
    state.list.highlightId = created.reservation_id;
    gridAfterChange({ added: created });
    loadList();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.signsOut) {
      signOut(error.message);
      return;
    }
    const field = error.field && form.elements.namedItem(error.field) ? error.field : null;
    if (error.code === "conflict" && field) {
      showErrors(form, { [field]: conflictDetails(error) });
    } else if (field) {
      showErrors(form, { [field]: error.message });
    } else {
      setFormError($("add-error"), describe(error));
    }
  } finally {
    state.add.inFlight = false;
    submit.disabled = false;
    submit.textContent = "Book";
  }
}

// ------------------------------------------------------------------ delete

function openDelete(reservation) {
  state.pendingDelete = reservation;
  const form = $("delete-form");
  clearFormErrors(form);
  $("delete-title").textContent = `Delete reservation ${reservation.reservation_id}?`;
  $("delete-details").textContent = `${reservation.guest_name}, room ${reservation.room_number}, ${longDate(reservation.check_in)} to ${longDate(reservation.check_out)} (${reservation.nights} night${reservation.nights === 1 ? "" : "s"}).`;
  $("delete-dialog").showModal();
  $("delete-cancel").focus();
}

async function onDeleteSubmit(event) {
  event.preventDefault();
  const reservation = state.pendingDelete;
  if (!reservation || !state.api) return;
  const confirm = $("delete-confirm");
  confirm.disabled = true;
  const id = reservation.reservation_id;
  try {
    await state.api.remove(id);
    notify(`Deleted reservation ${id} (${reservation.guest_name}).`);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 404) {
      notify(`Reservation ${id} was already deleted.`);
    } else {
      confirm.disabled = false;
      if (error.signsOut) signOut(error.message);
      else setFormError($("delete-error"), describe(error));
      return;
    }
  }
  confirm.disabled = false;
  state.pendingDelete = null;
  $("delete-dialog").close();
  state.list.items = state.list.items.filter((r) => r.reservation_id !== id);
  drawList();
  gridAfterChange({ removedId: id });
  $("reservations-title").setAttribute("tabindex", "-1");
  $("reservations-title").focus();
}

// ------------------------------------------------------------------ wiring

function wire() {
  $("sign-in-form").addEventListener("submit", onSignIn);
  $("sign-out").addEventListener("click", () => signOut());
  $("new-reservation").addEventListener("click", () => openAdd());
  $("grid-controls").addEventListener("submit", onGridControls);
  $("grid-start").addEventListener("change", (e) => e.target.value && moveGrid(e.target.value));
  $("grid-prev").addEventListener("click", () => moveGrid(addDays(state.grid.start, -GRID_DAYS)));
  $("grid-next").addEventListener("click", () => moveGrid(addDays(state.grid.start, GRID_DAYS)));
  $("grid-today").addEventListener("click", () => moveGrid(todayLocal()));
  enableGridKeyboard($("grid"));
  $("grid").addEventListener("click", (event) => {
    const slot = event.target.closest("button.free-slot");
    if (slot) openAdd({ room: slot.dataset.room, checkIn: slot.dataset.day });
  });
  $("filters").addEventListener("submit", onFilters);
  $("filters-clear").addEventListener("click", () => {
    $("filters").reset();
    clearFormErrors($("filters"));
    state.list.params = {};
    loadList();
  });
  $("load-more").addEventListener("click", () => loadList({ append: true }));
  $("list").tHead.addEventListener("click", (event) => {
    const th = event.target.closest("th[data-sort]");
    if (!th) return;
    state.list.sort = nextSort(state.list.sort, th.dataset.sort);
    drawList();
  });
  $("list-body").addEventListener("click", (event) => {
    const button = event.target.closest("button.delete");
    if (!button) return;
    const id = Number(button.dataset.reservationId);
    const reservation = state.list.items.find((r) => r.reservation_id === id);
    if (reservation) openDelete(reservation);
  });
  const addForm = $("add-form");
  addForm.addEventListener("submit", onAddSubmit);
  addForm.addEventListener("input", (event) => {
    if (event.target instanceof HTMLInputElement) setFieldError(event.target, null);
    updateCheckOut();
  });
  $("add-cancel").addEventListener("click", () => $("add-dialog").close());
  $("add-dialog").addEventListener("cancel", (event) => {
    if (state.add.inFlight) event.preventDefault();
  });
  $("delete-form").addEventListener("submit", onDeleteSubmit);
  $("delete-cancel").addEventListener("click", () => $("delete-dialog").close());
}

async function start() {
  wire();
  $("sign-in-submit").disabled = false;
  await loadConfig();
  const session = readSession();
  if (session) enterApp(session);
  else showSignIn();
  document.documentElement.dataset.ready = "true";
}

start();
