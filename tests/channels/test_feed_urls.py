"""A feed URL the server keeps is one the OpenAPI document calls valid (``format: uri``).

schemathesis judges the API by the document's format with ``jsonschema_rs``; a URL the server
took that the document calls invalid is a finding (a space, a bare '%', a non-ASCII letter).
"""

from __future__ import annotations

import jsonschema_rs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reservations.channels.calendar import check_feed_url
from reservations.domain.errors import ValidationError

DOCUMENT_URI = jsonschema_rs.validator_for({"type": "string", "format": "uri"}, validate_formats=True)
PIECES = st.sampled_from(["%", "%4", "%41", " ", "#", "?", "[", "]", ":", "@", "ü", "/", "|", "'", "a", "1"])


@given(tail=st.lists(PIECES | st.text(max_size=3), max_size=8).map("".join))
@example(tail="x/a b.ics")
@example(tail="x/%zz")
@example(tail="x/#a#b")
def test_a_url_the_server_keeps_is_a_uri_to_the_document(tail: str) -> None:
    for url in (f"https://a.example/{tail}", f"https://{tail}", f"http://[::1]:8080/{tail}"):
        try:
            kept = check_feed_url(url, allow_local=True)
        except ValidationError:
            continue
        assert DOCUMENT_URI.is_valid(kept), url


@pytest.mark.parametrize(
    "url",
    ["https://a.example/x.ics?t=%C3%BC&b=1#f", "https://[2001:db8::1]:8443/cal.ics", "http://127.0.0.1:80/a"],
)
def test_plain_urls_are_kept_as_sent(url: str) -> None:
    assert check_feed_url(url, allow_local=True) == url
