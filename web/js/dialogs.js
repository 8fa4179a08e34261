// The add and delete dialogs. They talk to the rest of the page through `page`:
//   page.api()             the signed-in API client (null when signed out)
//   page.notify(text)      the polite status line
//   page.signOut(message)  back to sign-in, for a refused key
//   page.added(r) / page.deleted(id)   keep the table and grid in step

import { ApiError, newIdempotencyKey } from "./api.js";
import { addDays, longDate, todayLocal, todayUtc } from "./dates.js";
import { clearFormErrors, describe, setFieldError, setFormError, showErrors } from "./forms.js";
import { RULES, checkCheckIn, checkNights, validateNewReservation } from "./validate.js";

const $ = (id) => document.getElementById(id);
const FIELDS = ["guest_name", "room_number", "nights", "check_in"];

function nightsText(n) {
  return `${n} night${n === 1 ? "" : "s"}`;
}

export function conflictDetails(error) {
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

export function createDialogs(page) {
  const addDialog = $("add-dialog");
  const addForm = $("add-form");
  const addSubmit = $("add-submit");
  const deleteDialog = $("delete-dialog");
  const deleteConfirm = $("delete-confirm");
  // `attempt` pairs the last body sent with its Idempotency-Key; `inFlight` blocks a second submit.
  const add = { inFlight: false, attempt: null };
  let pendingDelete = null;

  function updateCheckOut() {
    const nights = checkNights(addForm.elements.nights.value);
    const checkIn = checkCheckIn(addForm.elements.check_in.value);
    const out = $("add-check-out");
    out.textContent =
      "value" in checkIn && "value" in nights
        ? `Check-out ${longDate(addDays(checkIn.value, nights.value))} (${nightsText(nights.value)})`
        : "";
  }

  function openAdd({ room = "", checkIn = "" } = {}) {
    addForm.reset();
    clearFormErrors(addForm);
    add.attempt = null;
    addForm.elements.room_number.value = room;
    addForm.elements.check_in.value = checkIn || todayLocal();
    addForm.elements.nights.value = "1";
    // The date picker offers only days the server accepts (its rules count in UTC).
    const today = todayUtc();
    addForm.elements.check_in.min = addDays(today, -RULES.maxDaysBehind);
    addForm.elements.check_in.max = addDays(today, RULES.maxDaysAhead);
    updateCheckOut();
    addDialog.showModal();
    addForm.elements.guest_name.focus();
  }

  async function onAddSubmit(event) {
    event.preventDefault();
    const api = page.api();
    if (add.inFlight || !api) return;
    clearFormErrors(addForm);
    const raw = Object.fromEntries(FIELDS.map((name) => [name, addForm.elements[name].value]));
    const result = validateNewReservation(raw);
    if (result.errors) {
      showErrors(addForm, result.errors);
      return;
    }
    // One key per distinct submission: sending the same reservation again (a retry after a lost
    // answer) reuses it, so the server books once and replays its first answer.
    const payload = JSON.stringify(result.body);
    if (!add.attempt || add.attempt.payload !== payload) add.attempt = { payload, key: newIdempotencyKey() };
    add.inFlight = true;
    addSubmit.disabled = true;
    addSubmit.textContent = "Booking…";
    try {
      const created = await api.add(result.body, add.attempt.key);
      add.attempt = null;
      addDialog.close();
      page.notify(
        `Booked reservation ${created.reservation_id}: ${created.guest_name}, room ${created.room_number}, ${longDate(created.check_in)} to ${longDate(created.check_out)}.`,
      );
      page.added(created);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.signsOut) {
        page.signOut(error.message);
        return;
      }
      const field = error.field && FIELDS.includes(error.field) ? error.field : null;
      if (field) showErrors(addForm, { [field]: error.code === "conflict" ? conflictDetails(error) : error.message });
      else setFormError($("add-error"), describe(error));
    } finally {
      add.inFlight = false;
      addSubmit.disabled = false;
      addSubmit.textContent = "Book";
    }
  }

  function openDelete(reservation) {
    pendingDelete = reservation;
    clearFormErrors($("delete-form"));
    $("delete-title").textContent = `Delete reservation ${reservation.reservation_id}?`;
    $("delete-details").textContent = `${reservation.guest_name}, room ${reservation.room_number}, ${longDate(reservation.check_in)} to ${longDate(reservation.check_out)} (${nightsText(reservation.nights)}).`;
    deleteDialog.showModal();
    $("delete-cancel").focus();
  }

  async function onDeleteSubmit(event) {
    event.preventDefault();
    const api = page.api();
    const reservation = pendingDelete;
    if (!reservation || !api || deleteConfirm.disabled) return;
    const id = reservation.reservation_id;
    deleteConfirm.disabled = true;
    try {
      await api.remove(id);
      page.notify(`Deleted reservation ${id} (${reservation.guest_name}).`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 404) {
        page.notify(`Reservation ${id} was already deleted.`);
      } else if (error.signsOut) {
        page.signOut(error.message);
        return;
      } else {
        setFormError($("delete-error"), describe(error));
        return;
      }
    } finally {
      deleteConfirm.disabled = false;
    }
    pendingDelete = null;
    deleteDialog.close();
    page.deleted(id);
  }

  addForm.addEventListener("submit", onAddSubmit);
  addForm.addEventListener("input", (event) => {
    if (event.target instanceof HTMLInputElement) setFieldError(event.target, null);
    updateCheckOut();
  });
  $("add-cancel").addEventListener("click", () => addDialog.close());
  addDialog.addEventListener("cancel", (event) => {
    if (add.inFlight) event.preventDefault();
  });
  $("delete-form").addEventListener("submit", onDeleteSubmit);
  $("delete-cancel").addEventListener("click", () => deleteDialog.close());

  return { openAdd, openDelete };
}
