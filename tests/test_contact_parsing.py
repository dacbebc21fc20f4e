"""The fast paths for plain phone numbers and e-mail addresses agree with phonenumbers / email-validator."""

from __future__ import annotations

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from shop import customers
from shop.errors import ValidationError

REGIONS = ["DE", "AT", "CH", "FR", "GB", "US", "IT", "NL"]


def _full_phone(text: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _ours_phone(text: str, region: str) -> str | None:
    try:
        return customers.parse_phone(text, region)
    except ValidationError:
        return None


phone_texts = st.one_of(
    st.builds(lambda p, d: p + d, st.sampled_from(["0", "00", "+49", "+43", "+41", "+1", "+44", "+39", "+33", "+7"]),
              st.text("0123456789", min_size=3, max_size=13)),
    st.builds(lambda a, b: f"0{a} {b}", st.sampled_from(["30", "151", "171", "89", "221", "40", "69", "20"]),
              st.text("0123456789", min_size=4, max_size=9)),
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(text=phone_texts, region=st.sampled_from(REGIONS))
def test_phone_fast_path_equals_the_full_parser(text: str, region: str) -> None:
    assert _ours_phone(text, region) == _full_phone(text, region)


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("030 1234567", "DE", "+49301234567"),
        ("0151 12345678", "DE", "+4915112345678"),
        ("+49 (0)30 1234567", "DE", "+49301234567"),
        ("06 6982 0000", "IT", "+390669820000"),
        ("(212) 555-0123", "US", "+12125550123"),
        ("020 7946 0018", "GB", "+442079460018"),
    ],
)
def test_phone_examples(text: str, region: str, expected: str) -> None:
    assert customers.parse_phone(text, region) == expected == _full_phone(text, region)


def _full_email(text: str) -> str | None:
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _ours_email(text: str) -> str | None:
    try:
        return customers.parse_email(text)
    except ValidationError:
        return None


emails = st.builds(
    lambda local, domain, tld: f"{local}@{domain}.{tld}",
    st.text("abcXYZ019._+-", min_size=1, max_size=70),
    st.text("abcxyz019-.", min_size=1, max_size=20),
    st.sampled_from(["com", "de", "TEST", "local", "x", "museum", "c0m", "onion", "Example"]),
)


@settings(max_examples=400, deadline=None)
@given(text=emails)
def test_email_fast_path_equals_email_validator(text: str) -> None:
    assert _ours_email(text) == _full_email(text)


def test_email_special_cases() -> None:
    assert customers.parse_email("Anna.Mueller@Example.COM") == "anna.mueller@example.com"
    assert customers.parse_email("jürgen@müller.de") == _full_email("jürgen@müller.de")
    for bad in ["a..b@example.com", ".a@example.com", "a@-example.com", "a@example", "a@example.test"]:
        with pytest.raises(ValidationError):
            customers.parse_email(bad)


@settings(max_examples=600, deadline=None)
@given(
    code=st.sampled_from([49, 43, 41, 33, 31, 48, 45, 1, 44, 39]), nsn=st.text("0123456789", min_size=4, max_size=13)
)
def test_compiled_validator_equals_is_valid_number(code: int, nsn: str) -> None:
    check = customers._validator(code)
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(nsn))
    if check is None:
        assert len(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[code]) > 1  # shared codes use the full check
    elif not nsn.startswith("0"):
        assert check(nsn) == phonenumbers.is_valid_number(number)
