// The reservations table: the rows loaded so far, a page at a time ("Load more"), its filters, its
// sort, and drawing it. The page owns the signed-in API; this module asks for it on each load, so a
// load that finishes after a sign-out (or another sign-in) draws nothing.

import { clearFormErrors, setFormError, showErrors } from "./forms.js";
import { nextSort, renderRows, renderSortHeaders, sortItems } from "./table.js";
import { validateFilters } from "./validate.js";

const $ = (id) => document.getElementById(id);

function emptyList(seq) {
  return { items: [], nextCursor: null, params: {}, sort: null, loading: false, seq, highlightId: null };
}

/** `api()`: the signed-in API or null; `reportError(error, box)`: the page's handling of a failure. */
export function createList({ api, reportError }) {
  let list = emptyList(0);

  function draw() {
    const { items, nextCursor, sort, loading, params, highlightId } = list;
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

  async function load({ append = false } = {}) {
    const signedIn = api();
    if (!signedIn) return;
    const seq = ++list.seq;
    const mine = list;
    if (!append) {
      mine.items = [];
      mine.nextCursor = null;
    }
    mine.loading = true;
    setFormError($("list-error"), null);
    draw();
    try {
      const page = await signedIn.list({ ...mine.params, cursor: append ? mine.nextCursor : null });
      if (seq !== list.seq || signedIn !== api()) return;
      const known = new Set(mine.items.map((r) => r.reservation_id));
      mine.items = [...mine.items, ...page.items.filter((r) => !known.has(r.reservation_id))];
      mine.nextCursor = page.next_cursor;
    } catch (error) {
      if (seq === list.seq && signedIn === api()) reportError(error, $("list-error"));
    } finally {
      if (seq === list.seq) {
        mine.loading = false;
        if (api()) draw();
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
    list.params = result.params;
    load();
  }

  $("filters").addEventListener("submit", onFilters);
  $("filters-clear").addEventListener("click", () => {
    $("filters").reset();
    clearFormErrors($("filters"));
    list.params = {};
    load();
  });
  $("load-more").addEventListener("click", () => load({ append: true }));
  $("list").tHead.addEventListener("click", (event) => {
    const th = event.target.closest("th[data-sort]");
    if (!th) return;
    list.sort = nextSort(list.sort, th.dataset.sort);
    draw();
  });

  return {
    get items() {
      return list.items;
    },
    load,
    /** After a sign-out: nothing kept, and a load still under way draws nothing. */
    reset() {
      list = emptyList(list.seq + 1);
      $("list-body").replaceChildren();
    },
    /** A new reservation: loaded again from the server (where it falls in the order), marked. */
    added(created) {
      list.highlightId = created.reservation_id;
      load();
    },
    changed(changed) {
      const id = changed.reservation_id;
      list.items = list.items.map((r) => (r.reservation_id === id ? changed : r));
      list.highlightId = id;
      draw();
    },
    deleted(id) {
      list.items = list.items.filter((r) => r.reservation_id !== id);
      draw();
    },
  };
}
