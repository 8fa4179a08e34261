"""The page's source: nothing a strict CSP would block, no third-party host, no secret, no HTML injection."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"
# The SVG namespace and the documentation host of the placeholder are names, not resources.
ALLOWED_URLS = {"http://www.w3.org/2000/svg", "https://api.example.com"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"inline handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in ("src", "href") and value and re.match(r"^([a-z]+:|//)", value) and value != "#main":
                self.problems.append(f"{name}={value!r} is not relative")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            self._in_script = True
            if not names.get("src"):
                self.problems.append("inline <script>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("script with a body")


def web_files() -> list[Path]:
    files = sorted(p for p in WEB.rglob("*") if p.is_file())
    assert any(p.name == "index.html" for p in files)
    return files


def test_html_has_no_inline_script_style_or_remote_resource() -> None:
    for path in WEB.rglob("*.html"):
        collector = _Collector()
        collector.feed(path.read_text(encoding="utf-8"))
        assert collector.problems == [], path.name


def test_no_third_party_host_and_no_secret() -> None:
    for path in web_files():
        text = path.read_text(encoding="utf-8")
        urls = set(re.findall(r"https?://[\w.-]+(?:/[\w./-]*)?", text))
        assert urls <= ALLOWED_URLS, path.name
        assert not re.search(r"rsv_[A-Za-z0-9_-]{8,}", text), f"{path.name} holds an API key"


def test_script_never_builds_html_from_strings() -> None:
    for path in WEB.rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        for risky in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ):
            assert risky not in text, f"{path.name} uses {risky}"
        assert 'setAttribute("style"' not in text, path.name
