// The "Change reservation" dialog: opened from a stay in the grid or a row of the table. It sends
// only the fields the clerk changed (PATCH /reservations/{id}); the server keeps the id and moves
// the stay in one step, or refuses and changes nothing. It talks to the page through `page`:
//   page.api(), page.notify(text), page.signOut(message)
//   page.changed(r)     the reservation as changed
//   page.deleted(id)    it was gone when the change arrived

import { ApiError } from "./api.js";
import { addDays, longDate, todayUtc } from "./dates.js";
import { conflictDetails } from "./dialogs.js";
import { clearFormErrors, describe, setFieldError, setFormError, showErrors } from "./forms.js";
import { RULES, checkCheckIn, checkGuestName, checkNights, checkRoom } from "./validate.js";

const $ = (id) => document.getElementById(id);
const FIELDS = ["guest_name", "room_number", "check_in", "nights"];

/** The fields that differ from `original`, checked as the server will; {body} or {errors}. */
export function validateChange(raw, original, today = todayUtc()) {
  const checks = {
    guest_name: checkGuestName(raw.guest_name),
    room_number: checkRoom(raw.room_number),
    nights: checkNights(raw.nights),
    // The stay's own check-in is kept even once it has passed; a new one must be bookable.
    check_in: raw.check_in === original.check_in ? { value: original.check_in } : checkCheckIn(raw.check_in, today),
  };
  const errors = {};
  const body = {};
  for (const [field, result] of Object.entries(checks)) {
    if ("error" in result) errors[field] = result.error;
    else if (result.value !== original[field]) body[field] = result.value;
  }
  return Object.keys(errors).length ? { errors } : { body };
}

export function createChangeDialog(page) {
  const dialog = $("change-dialog");
  const form = $("change-form");
  const submit = $("change-submit");
  let original = null;
  let inFlight = false;

  function updateCheckOut() {
    const nights = checkNights(form.elements.nights.value);
    const day = form.elements.check_in.value;
    $("change-check-out").textContent =
      day && "value" in nights ? `Check-out ${longDate(addDays(day, nights.value))}` : "";
  }

  /** Opens the dialog on `reservation`; `moveTo` ({room, checkIn}, from a drop on the grid) prefills a move. */
  function open(reservation, moveTo = null) {
    original = reservation;
    form.reset();
    clearFormErrors(form);
    $("change-title").textContent = `Change reservation ${reservation.reservation_id}`;
    form.elements.guest_name.value = reservation.guest_name;
    form.elements.room_number.value = String(moveTo ? moveTo.room : reservation.room_number);
    form.elements.check_in.value = moveTo ? moveTo.checkIn : reservation.check_in;
    form.elements.nights.value = String(reservation.nights);
    form.elements.check_in.max = addDays(todayUtc(), RULES.maxDaysAhead);
    updateCheckOut();
    dialog.showModal();
    form.elements.room_number.focus();
  }

  async function onSubmit(event) {
    event.preventDefault();
    const api = page.api();
    if (inFlight || !api || !original) return;
    clearFormErrors(form);
    const raw = Object.fromEntries(FIELDS.map((name) => [name, form.elements[name].value]));
    const result = validateChange(raw, original);
    if (result.errors) {
      showErrors(form, result.errors);
      return;
    }
    const id = original.reservation_id;
    if (Object.keys(result.body).length === 0) {
      dialog.close();
      page.notify(`Nothing to change in reservation ${id}.`);
      return;
    }
    inFlight = true;
    submit.disabled = true;
    submit.textContent = "Saving…";
    try {
      const changed = await api.change(id, result.body);
      dialog.close();
      page.notify(
        `Changed reservation ${id}: ${changed.guest_name}, room ${changed.room_number}, ${longDate(changed.check_in)} to ${longDate(changed.check_out)}.`,
      );
      page.changed(changed);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.signsOut) {
        page.signOut(error.message);
      } else if (error.status === 404) {
        dialog.close();
        page.notify(`Reservation ${id} was deleted meanwhile.`);
        page.deleted(id);
      } else if (error.field && FIELDS.includes(error.field)) {
        // A taken night is reported on the room (where the clerk would change it).
        showErrors(form, { [error.field]: error.code === "conflict" ? conflictDetails(error) : error.message });
      } else {
        setFormError($("change-error"), describe(error));
      }
    } finally {
      inFlight = false;
      submit.disabled = false;
      submit.textContent = "Save changes";
    }
  }

  form.addEventListener("submit", onSubmit);
  form.addEventListener("input", (event) => {
    if (event.target instanceof HTMLInputElement) setFieldError(event.target, null);
    updateCheckOut();
  });
  $("change-cancel").addEventListener("click", () => dialog.close());
  dialog.addEventListener("cancel", (event) => {
    if (inFlight) event.preventDefault();
  });
  return { open };
}
