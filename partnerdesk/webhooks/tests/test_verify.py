"""Point 6: the receiver's verification helper, with a 300 s tolerance."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnerdesk.webhooks.verify import sign, signature_header, verify_signature

SECRET = "whsec_test"
BODY = b'{"id":"evt_1","type":"ping"}'
T = 1773135000  # 2026-03-10 09:30 UTC


def test_a_signature_made_by_partnerdesk_verifies():
    header = signature_header(BODY, [SECRET], T)
    assert header == f"t={T},v1={sign(BODY, SECRET, T)}"
    assert verify_signature(BODY, header, SECRET, now=T)
    assert verify_signature(BODY.decode(), header, SECRET, now=datetime(2026, 3, 10, 9, 30, tzinfo=UTC))


def test_the_signed_string_is_timestamp_dot_body():
    import hashlib
    import hmac

    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(BODY, SECRET, T) == expected


@pytest.mark.parametrize(
    ("now", "ok"),
    [(T + 300, True), (T - 300, True), (T + 301, False), (T - 301, False)],
    ids=["300s-late", "300s-early", "301s-late", "301s-early"],
)
def test_timestamps_outside_the_tolerance_are_refused(now, ok):
    assert verify_signature(BODY, signature_header(BODY, [SECRET], T), SECRET, now=now) is ok


def test_a_custom_tolerance():
    header = signature_header(BODY, [SECRET], T)
    assert verify_signature(BODY, header, SECRET, tolerance=1000, now=T + 900)
    assert not verify_signature(BODY, header, SECRET, tolerance=10, now=T + 11)


def test_any_v1_entry_may_match_during_a_rotation():
    header = signature_header(BODY, ["whsec_new", "whsec_old"], T)
    assert verify_signature(BODY, header, "whsec_new", now=T)
    assert verify_signature(BODY, header, "whsec_old", now=T)
    assert not verify_signature(BODY, header, "whsec_other", now=T)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        f"v1={sign(BODY, SECRET, T)}",  # no timestamp
        f"t={T}",  # no signature
        f"t=abc,v1={sign(BODY, SECRET, T)}",
        f"t={T},v1=",
        f"t={T + 1},v1={sign(BODY, SECRET, T)}",  # timestamp changed after signing
        f"t={T},v0={sign(BODY, SECRET, T)}",  # unknown scheme
        f"t=١٢٣,v1={sign(BODY, SECRET, T)}",  # non-ASCII digits
    ],
)
def test_malformed_or_forged_headers_are_refused_without_exceptions(header):
    assert verify_signature(BODY, header, SECRET, now=T) is False


def test_a_changed_body_or_wrong_secret_is_refused():
    header = signature_header(BODY, [SECRET], T)
    assert not verify_signature(BODY + b" ", header, SECRET, now=T)
    assert not verify_signature(BODY, header, "whsec_other", now=T)
    assert not verify_signature(BODY, header, "", now=T)


def test_the_helper_needs_only_the_standard_library():
    import ast
    from pathlib import Path

    import partnerdesk.webhooks.verify as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {"__future__", "hashlib", "hmac", "time", "datetime"}


@given(
    body=st.binary(max_size=300),
    secret=st.text(min_size=1, max_size=40),
    timestamp=st.integers(min_value=0, max_value=2**40),
    flip=st.integers(min_value=0),
)
def test_any_signed_body_verifies_and_any_changed_byte_does_not(body, secret, timestamp, flip):
    header = signature_header(body, [secret], timestamp)
    assert verify_signature(body, header, secret, now=timestamp)
    if body:
        index = flip % len(body)
        changed = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]
        assert not verify_signature(changed, header, secret, now=timestamp)
