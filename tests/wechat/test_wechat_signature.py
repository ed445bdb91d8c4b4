"""URL signature and msg_signature checks, against WeChat's own example."""

from typing import Any

import pytest

from wechat.errors import NonceError, RepeatedParameterError, SignatureError, TimestampError
from wechat.signature import (
    AUTH_PARAMETERS,
    check_msg_signature,
    check_request_params,
    check_signature,
    check_timestamp,
    query_parameters,
    sign,
)


def test_url_signature_matches_the_official_example(vectors: dict[str, Any]) -> None:
    v = vectors["url_signature"]
    assert sign(v["token"], v["timestamp"], v["nonce"]) == v["signature"]
    check_signature(v["token"], v["timestamp"], v["nonce"], v["signature"])


def test_msg_signature_matches_the_official_example(vectors: dict[str, Any]) -> None:
    v = vectors["decrypt_python_sample"]
    check_msg_signature(v["token"], v["timestamp"], v["nonce"], v["encrypt"], v["msg_signature"])


def test_sign_sorts_its_parts() -> None:
    assert sign("b", "a", "c") == sign("c", "b", "a") == sign("abc")


@pytest.mark.parametrize("signature", ["", "0" * 40, "899CF89E464EFB63F54DDAC96B0A0A235F53AA78"])
def test_wrong_or_missing_signature_is_refused(vectors: dict[str, Any], signature: str) -> None:
    v = vectors["url_signature"]
    with pytest.raises(SignatureError) as raised:
        check_signature(v["token"], v["timestamp"], v["nonce"], signature)
    assert raised.value.code == -40001


def test_non_ascii_signature_is_a_mismatch_not_a_crash(vectors: dict[str, Any]) -> None:
    v = vectors["url_signature"]
    with pytest.raises(SignatureError, match="does not match"):
        check_signature(v["token"], v["timestamp"], v["nonce"], "签名" * 20)


def test_missing_msg_signature_is_refused(vectors: dict[str, Any]) -> None:
    v = vectors["decrypt_python_sample"]
    with pytest.raises(SignatureError, match="no msg_signature"):
        check_msg_signature(v["token"], v["timestamp"], v["nonce"], v["encrypt"], "")


def test_shifted_parts_sign_alike_which_is_why_their_shape_is_pinned() -> None:
    # The parts are joined with no separator: moving a digit from the timestamp to the
    # nonce keeps the signature, so only the documented shapes are accepted.
    assert sign("AAAAA", "1714037059", "486452656") == sign("AAAAA", "171403705", "9486452656")
    check_request_params("1714037059", "486452656")
    with pytest.raises(TimestampError):
        check_request_params("171403705", "9486452656")


@pytest.mark.parametrize(
    "timestamp",
    ["", "171403705", "17140370590", "171403705a", "１７１４０３７０５９", " 1714037059"],
)
def test_timestamp_must_be_ten_ascii_digits(timestamp: str) -> None:
    with pytest.raises(TimestampError) as raised:
        check_request_params(timestamp, "486452656")
    assert raised.value.code == -40001


@pytest.mark.parametrize("nonce", ["", "a" * 65, "nonce-1", "nonce 1", "随机数", "abc\n"])
def test_nonce_must_be_short_ascii_letters_and_digits(nonce: str) -> None:
    with pytest.raises(NonceError):
        check_request_params("1714037059", nonce)


def test_nonce_of_sixty_four_characters_is_accepted() -> None:
    check_request_params("1714037059", "aZ09" * 16)


@pytest.mark.parametrize("skew", [-300, 0, 300])
def test_timestamp_inside_the_window_is_returned_as_int(skew: int) -> None:
    assert check_timestamp("1714037059", now=1714037059 + skew, tolerance=300) == 1714037059


@pytest.mark.parametrize("skew", [-301, 301, 86400])
def test_timestamp_outside_the_window_is_refused_either_way(skew: int) -> None:
    with pytest.raises(TimestampError, match="server clock"):
        check_timestamp("1714037059", now=1714037059 + skew, tolerance=300)


def test_zero_tolerance_disables_the_window() -> None:
    assert check_timestamp("1000000000", now=2_000_000_000, tolerance=0) == 1000000000


def test_negative_tolerance_fails_closed() -> None:
    with pytest.raises(TimestampError):
        check_timestamp("1714037059", now=1714037059, tolerance=-1)


@pytest.mark.parametrize("timestamp", ["", "soon", "-5", "1.5", "9" * 5000])
def test_malformed_timestamp_is_refused(timestamp: str) -> None:
    with pytest.raises(TimestampError):
        check_timestamp(timestamp, now=0, tolerance=0)


@pytest.mark.parametrize("name", sorted(AUTH_PARAMETERS))
def test_an_authentication_parameter_given_twice_is_refused(name: str) -> None:
    with pytest.raises(RepeatedParameterError, match=name) as raised:
        query_parameters([(name, "a"), ("openid", "o"), (name, "b")])
    assert isinstance(raised.value, SignatureError)  # so the webhook answers 403


def test_other_parameters_may_repeat_and_the_last_one_counts() -> None:
    pairs = [("signature", "s"), ("openid", "o1"), ("openid", "o2")]
    assert query_parameters(pairs) == {"signature": "s", "openid": "o2"}
