// "Find a free room": asks the API which of the customer's rooms are free for every night of a stay
// (GET /availability) and has the grid highlight them. It talks to the page through `page`:
//   page.api(), page.signOut(message)
//   page.window()            the grid's {start, end} (end excluded)
//   page.show(free, moveTo)  highlight `free` (a Set, or null for none); move the grid to `moveTo` if given

import { ApiError } from "./api.js";
import { longDate, todayLocal } from "./dates.js";
import { clearFormErrors, describe, showErrors } from "./forms.js";
import { checkCheckIn, checkNights } from "./validate.js";

const $ = (id) => document.getElementById(id);

/** [101, 102, 103, 105] -> "101-103, 105", how a clerk reads a list of rooms. */
export function compactRooms(rooms) {
  const runs = [];
  for (const room of rooms) {
    const last = runs[runs.length - 1];
    if (last && room === last[1] + 1) last[1] = room;
    else runs.push([room, room]);
  }
  return runs.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(", ");
}

export function createFreeFinder(page) {
  const form = $("free-form");
  const result = $("free-result");
  const clearButton = $("free-clear");
  let asked = null; // {checkIn, nights} of the highlighted answer

  async function find(checkIn, nights, { quiet = false } = {}) {
    const api = page.api();
    if (!api) return;
    try {
      const answer = await api.availability(checkIn, nights);
      if (api !== page.api()) return;
      asked = { checkIn, nights };
      clearButton.hidden = false;
      const rooms = answer.free_rooms;
      if (!quiet) {
        const stay = `from ${longDate(checkIn)} for ${nights} night${nights === 1 ? "" : "s"}`;
        result.textContent = rooms.length
          ? `Free ${stay}: ${compactRooms(rooms)}. They are highlighted in the grid.`
          : `No room is free ${stay}.`;
      }
      const { start, end } = page.window();
      page.show(new Set(rooms), !quiet && (checkIn < start || checkIn >= end) ? checkIn : null);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.signsOut) page.signOut(error.message);
      else result.textContent = describe(error); // 409 no_rooms says what to do
    }
  }

  function onSubmit(event) {
    event.preventDefault();
    clearFormErrors(form);
    const checkIn = checkCheckIn(form.elements.check_in.value);
    const nights = checkNights(form.elements.nights.value);
    const errors = {};
    if ("error" in checkIn) errors.check_in = checkIn.error.replace("Check-in", "Arriving");
    if ("error" in nights) errors.nights = nights.error;
    if (Object.keys(errors).length) {
      showErrors(form, errors);
      return;
    }
    find(checkIn.value, nights.value);
  }

  function clear() {
    asked = null;
    result.textContent = "";
    clearButton.hidden = true;
  }

  form.addEventListener("submit", onSubmit);
  clearButton.addEventListener("click", () => {
    clear();
    page.show(null, null);
    form.elements.check_in.focus();
  });

  return {
    /** Asks again after a booking, move or cancellation, keeping the grid where it is. */
    refresh() {
      if (asked) find(asked.checkIn, asked.nights, { quiet: true });
    },
    /** Forgets the answer and resets the form (sign-in, sign-out). */
    reset() {
      clear();
      form.reset();
      clearFormErrors(form);
      form.elements.check_in.value = todayLocal();
      form.elements.nights.value = "1";
    },
  };
}
