// Showing errors next to the fields they belong to, with the ARIA wiring screen readers need.

export function setFieldError(input, message) {
  const errorId = (input.getAttribute("aria-describedby") || "").split(/\s+/).find((id) => id.endsWith("-error"));
  const box = errorId ? document.getElementById(errorId) : null;
  if (message) {
    input.setAttribute("aria-invalid", "true");
    if (box) {
      box.replaceChildren(message);
      box.hidden = false;
    }
  } else {
    input.removeAttribute("aria-invalid");
    if (box) {
      box.replaceChildren();
      box.hidden = true;
    }
  }
  return box;
}

export function setFormError(box, message) {
  if (message) {
    box.replaceChildren(message);
    box.hidden = false;
  } else {
    box.replaceChildren();
    box.hidden = true;
  }
}

export function clearFormErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) setFieldError(input, null);
  for (const box of form.querySelectorAll(".form-error")) setFormError(box, null);
}

/** Shows `errors` ({name: message}) on the form's inputs by name; focuses the first. Returns leftovers. */
export function showErrors(form, errors) {
  const leftovers = {};
  let first = null;
  for (const [name, message] of Object.entries(errors)) {
    const input = form.elements.namedItem(name);
    if (input instanceof HTMLElement) {
      setFieldError(input, message);
      first = first || input;
    } else {
      leftovers[name] = message;
    }
  }
  if (first) first.focus();
  return leftovers;
}

/**
 * The message to show for an API error, with the request id support staff can look up; without it
 * (`withRequestId: false`) where the clerk's own typing is the cause, as at sign-in.
 */
export function describe(error, { withRequestId = true } = {}) {
  let text = error.message;
  const wait = Number(error.retryAfter);
  if (error.retryAfter && Number.isFinite(wait)) text += ` Try again in ${wait} second${wait === 1 ? "" : "s"}.`;
  if (withRequestId && error.requestId) text += ` (request ${error.requestId})`;
  return text;
}
