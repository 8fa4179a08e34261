// The HTTP API, one small client per signed-in session. Credentials travel only in headers to the
// configured API base; nothing here logs or persists them.

const TIMEOUT_MS = 15_000;

export class ApiError extends Error {
  constructor(status, code, message, { field = null, body = null, requestId = null, retryAfter = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
    this.body = body;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }

  /** 401 and 403 mean the key is wrong, revoked or rotated: the clerk must sign in again. */
  get signsOut() {
    return this.status === 401 || this.status === 403;
  }
}

const STATUS_TEXT = {
  400: "The request was refused",
  401: "Sign-in required",
  403: "Access refused",
  404: "Not found",
  409: "Conflict",
  413: "The request is too large",
  429: "Too many requests; wait a moment and try again",
  500: "The server failed",
  502: "The API is unreachable behind the proxy",
  503: "The service is busy; try again shortly",
  504: "The API took too long to answer",
};

/** Joins the base ("" for same origin) and a path; rejects anything that is not http(s). */
export function normaliseBase(base) {
  const trimmed = String(base ?? "").trim().replace(/\/+$/, "");
  if (trimmed === "") return "";
  let url;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ApiError(0, "validation_error", "API base URL must be a full address such as https://api.example.com", {
      field: "api_base",
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ApiError(0, "validation_error", "API base URL must start with https:// or http://", {
      field: "api_base",
    });
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ApiError(0, "validation_error", "API base URL must not carry a query, fragment or credentials", {
      field: "api_base",
    });
  }
  return url.href.replace(/\/+$/, "");
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const detail = body && typeof body === "object" && body.error && typeof body.error === "object" ? body.error : {};
  const message =
    typeof detail.message === "string" && detail.message
      ? detail.message
      : STATUS_TEXT[response.status] || `Unexpected answer (HTTP ${response.status})`;
  return new ApiError(response.status, typeof detail.code === "string" ? detail.code : "http_error", message, {
    field: typeof detail.field === "string" ? detail.field : null,
    body: detail,
    requestId: response.headers.get("X-Request-Id"),
    retryAfter: response.headers.get("Retry-After"),
  });
}

export function createApi({ base, customer, apiKey }) {
  const root = normaliseBase(base);

  async function call(method, path, { query = null, json = undefined, headers = {} } = {}) {
    let url = `${root}${path}`;
    if (query) {
      const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""));
      const text = search.toString();
      if (text) url += `?${text}`;
    }
    const init = {
      method,
      headers: { Accept: "application/json", "X-Customer": customer, "X-Api-Key": apiKey, ...headers },
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    };
    if (json !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(json);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch (exc) {
      const where = root || window.location.origin;
      const why = exc && exc.name === "TimeoutError" ? "did not answer in time" : "cannot be reached";
      throw new ApiError(0, "unreachable", `The API at ${where} ${why}.`);
    }
    if (!response.ok) throw await errorFrom(response);
    if (response.status === 204) return null;
    try {
      return await response.json();
    } catch {
      throw new ApiError(response.status, "bad_response", "The API answered with something that is not JSON.");
    }
  }

  return {
    customer,
    base: root,
    list(params = {}) {
      return call("GET", "/reservations", { query: params });
    },
    add(body, idempotencyKey) {
      return call("POST", "/reservations", { json: body, headers: { "Idempotency-Key": idempotencyKey } });
    },
    remove(reservationId) {
      return call("DELETE", `/reservations/${encodeURIComponent(reservationId)}`);
    },
    /** Changes a reservation in place (same id); `body` names only the fields that change. */
    change(reservationId, body) {
      return call("PATCH", `/reservations/${encodeURIComponent(reservationId)}`, { json: body });
    },
    roomsPage(cursor = null) {
      return call("GET", "/rooms", { query: { limit: 1000, cursor } });
    },
    /** The room's imported feeds with their last sync, and the blocks they hold. */
    roomSync(roomNumber) {
      return call("GET", `/rooms/${encodeURIComponent(roomNumber)}/sync`);
    },
    availability(checkIn, nights) {
      return call("GET", "/availability", { query: { check_in: checkIn, nights } });
    },
  };
}

/** Every room the customer defined, in number order (a hotel's rooms fit in a page or two). */
export async function allRooms(api, maxPages = 5) {
  const rooms = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page += 1) {
    const result = await api.roomsPage(cursor);
    rooms.push(...result.items);
    cursor = result.next_cursor;
    if (!cursor) break;
  }
  return rooms;
}

/** Every reservation overlapping [from, to), following the cursor (the grid needs them all). */
export async function listAll(api, { from, to, room } = {}, maxPages = 20) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page += 1) {
    const result = await api.list({ from, to, room, limit: 500, cursor });
    items.push(...result.items);
    cursor = result.next_cursor;
    if (!cursor) return { items, complete: true };
  }
  return { items, complete: false };
}

/**
 * A random key for Idempotency-Key. crypto.randomUUID exists only in secure contexts, and a hotel LAN
 * may serve the page over plain http, so build a version-4 UUID from getRandomValues.
 */
export function newIdempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
