"""Client profiles: where the server is and who we are, layered flags > environment > file.

Named profiles in one TOML file, like the AWS CLI's, so one person can talk to the local stack and
to a deployed stage without retyping keys.  The file holds API keys, so it is created with mode
0600 from the first byte (never written world-readable and chmod-ed afterwards) and replaced
atomically, so a crash mid-write cannot leave a truncated file behind.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DEFAULT_PROFILE = "local"
ENV_URL = "RESERVATIONS_URL"
ENV_CUSTOMER = "RESERVATIONS_CUSTOMER"
ENV_API_KEY = "RESERVATIONS_API_KEY"
ENV_PROFILE = "RESERVATIONS_PROFILE"


class ConfigError(Exception):
    """The configuration is missing or unreadable; the message tells the user how to fix it."""


@dataclass(frozen=True)
class Profile:
    url: str
    customer: str
    api_key: str
    store: str | None = None  # set by ``serve``: the store the key belongs to (``Settings.location``)

    def __repr__(self) -> str:  # keeps the key out of logs and tracebacks
        return f"Profile(url={self.url!r}, customer={self.customer!r}, api_key={mask_key(self.api_key)!r})"


def mask_key(key: str) -> str:
    """What a user may see of a key: enough to tell two keys apart, never enough to use one."""
    if not key:
        return "(none)"
    return "…" + key[-4:] if len(key) > 8 else "…"


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "reservations" / "config.toml"


def read_config(path: Path | None = None) -> dict[str, Any]:
    """The whole file as a dict; an absent file is an empty configuration."""
    path = path or config_path()
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None


def profile_names(path: Path | None = None) -> list[str]:
    profiles = read_config(path).get("profiles", {})
    return sorted(profiles) if isinstance(profiles, dict) else []


def default_profile_name(path: Path | None = None) -> str:
    """``RESERVATIONS_PROFILE``, else the file's ``default_profile``, else ``local``."""
    chosen = os.environ.get(ENV_PROFILE)
    if chosen:
        return chosen
    default = read_config(path).get("default_profile")
    return default if isinstance(default, str) and default else DEFAULT_PROFILE


def load_profile(name: str | None = None, *, path: Path | None = None) -> Profile:
    """Reads one profile from the file (``name=None``: the default one); ``ConfigError`` if absent."""
    path = path or config_path()
    data = read_config(path)
    name = name or default_profile_name(path)
    profiles = data.get("profiles", {})
    entry = profiles.get(name) if isinstance(profiles, dict) else None
    if not isinstance(entry, dict):
        if name == DEFAULT_PROFILE:
            raise ConfigError(
                f"no profile {name!r} in {path}: start the local stack (`make run` or "
                "`reservations serve`; its first start writes it) or run `reservations configure`"
            )
        raise ConfigError(f"no profile {name!r} in {path}: run `reservations configure --profile {name}`")
    missing = [k for k in ("url", "customer", "api_key") if not isinstance(entry.get(k), str) or not entry[k]]
    if missing:
        raise ConfigError(f"profile {name!r} in {path} has no {missing[0]}: run `reservations configure`")
    store = entry.get("store")
    return Profile(
        url=entry["url"],
        customer=entry["customer"],
        api_key=entry["api_key"],
        store=store if isinstance(store, str) and store else None,
    )


def save_profile(
    name: str, profile: Profile, *, make_default_if_unset: bool = True, path: Path | None = None
) -> Path:
    """Writes (or replaces) one profile, keeping the others; returns the file's path."""
    import tomli_w

    path = path or config_path()
    data = read_config(path)
    profiles = data.get("profiles")
    if not isinstance(profiles, dict):
        profiles = {}
    profiles[name] = {"url": profile.url, "customer": profile.customer, "api_key": profile.api_key}
    if profile.store:
        profiles[name]["store"] = profile.store
    data["profiles"] = profiles
    if make_default_if_unset and not data.get("default_profile"):
        data["default_profile"] = name
    ordered = {k: data[k] for k in data if k != "profiles"} | {"profiles": profiles}
    _write_private(path, tomli_w.dumps(ordered))
    return path


def save_demo_profile(profile: Profile, *, path: Path | None = None) -> tuple[str | None, Path, str | None]:
    """Saves the key ``serve`` made on a first start: as ``local`` unless that holds another store's
    key (never clobbered), else as ``local-<port>``.

    Returns the profile name written (None: neither was free), the file, and the name of the profile
    kept because it belongs to another store.
    """
    path = path or config_path()
    profiles = read_config(path).get("profiles", {})
    profiles = profiles if isinstance(profiles, dict) else {}
    port = profile.url.rsplit(":", 1)[1]
    kept: str | None = None
    for name in (DEFAULT_PROFILE, f"{DEFAULT_PROFILE}-{port}"):
        entry = profiles.get(name)
        if not isinstance(entry, dict) or entry.get("store") == profile.store:
            save_profile(name, profile, path=path)
            return name, path, kept
        kept = kept or name
    return None, path, f"profiles {DEFAULT_PROFILE!r} and {DEFAULT_PROFILE}-{port!r}"


def follow_store(store: str, url: str, *, answers: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """Points the profiles of ``store`` at ``url``, where its server now runs, unless the server a
    profile points at still ``answers`` (a second server of the same store: the profile stays its).

    A profile from before profiles named their store, pointing at this very address, is taken to be
    this store's (a ``serve`` here wrote it) and marked as such.  Returns the store's profiles and
    what to tell the user.
    """
    ours, notes = [], []
    for name in profile_names():
        try:
            found = load_profile(name)
        except ConfigError:
            continue  # an incomplete profile is the user's to fix, not ours
        if found.store is None and found.url == url:
            found = replace(found, store=store)
            save_profile(name, found, make_default_if_unset=False)
        if found.store != store:
            continue
        ours.append(name)
        if found.url != url and answers(found.url):
            notes.append(
                f"Client profile {name!r} still points at {found.url}, which is serving; "
                f"reach this server with --url {url} (or RESERVATIONS_URL={url})."
            )
        elif found.url != url:
            save_profile(name, replace(found, url=url), make_default_if_unset=False)
            notes.append(f"Client profile {name!r} now points at {url}.")
    return ours, notes


def set_default_profile(name: str, *, path: Path | None = None) -> Path:
    import tomli_w

    path = path or config_path()
    data = read_config(path)
    data["default_profile"] = name
    _write_private(path, tomli_w.dumps(data))
    return path


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Resolved:
    """The settings a command will use, and the profile name they came from (for the header)."""

    profile: Profile
    profile_name: str | None


def resolve(
    *,
    url: str | None = None,
    customer: str | None = None,
    api_key: str | None = None,
    profile: str | None = None,
    path: Path | None = None,
) -> Resolved:
    """Flags > environment > profile file, field by field."""
    env = os.environ
    url = _trimmed(url) or _trimmed(env.get(ENV_URL))
    customer = _trimmed(customer) or _trimmed(env.get(ENV_CUSTOMER))
    api_key = _trimmed(api_key) or _trimmed(env.get(ENV_API_KEY))
    name: str | None = None
    if not (url and customer and api_key) or profile:
        try:
            stored = load_profile(profile, path=path)
            name = profile or default_profile_name(path)
        except ConfigError:
            if profile or not (url or customer or api_key):
                raise
            stored = None
        if stored is not None:
            url = url or stored.url
            customer = customer or stored.customer
            api_key = api_key or stored.api_key
    if not url:
        raise _missing("--url", ENV_URL)
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"the server URL must start with http:// or https://, not {url!r}")
    if not customer:
        raise _missing("--customer", ENV_CUSTOMER)
    if not api_key:
        raise _missing("--api-key", ENV_API_KEY)
    return Resolved(
        Profile(
            url=url, customer=header_value(customer, "customer"), api_key=header_value(api_key, "API key")
        ),
        name,
    )


def _trimmed(value: str | None) -> str | None:
    """Flags and environment are trimmed as the prompts are: a pasted key often ends in a newline."""
    return value.strip() or None if value is not None else None


def header_value(value: str, what: str) -> str:
    """The value trimmed, or a usage error naming it: a header cannot carry control characters.

    Without this check httpx refuses to send the request and the user reads "cannot reach the
    server" about a typo in a key.
    """
    value = value.strip()
    if not value.isascii() or not value.isprintable():
        bad = next(c for c in value if not (c.isascii() and c.isprintable()))
        raise ConfigError(
            f"the {what} contains {bad!r}, which an HTTP header cannot carry; check for a stray character"
        )
    return value


def _missing(flag: str, variable: str) -> ConfigError:
    return ConfigError(f"no {flag.removeprefix('--')} given: pass {flag}, set {variable} or use a profile")
