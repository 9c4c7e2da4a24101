"""One-time codes: derived from a secret and a delivery key, compared only as digests."""

import pytest

from registry.codes import CODE_LENGTH, code_digest, is_code_format, make_code

SECRET = "test-code-secret-" + "y" * 32


def test_code_is_six_ascii_digits_and_passes_its_own_format_check():
    codes = [make_code(SECRET, f"activity-{i}") for i in range(1000)]
    assert CODE_LENGTH == 6
    for code in codes:
        assert len(code) == 6 and code.isascii() and code.isdigit()
        assert is_code_format(code)
    # About one in ten codes starts with 0: the zero padding must keep them 6 long.
    assert sum(code.startswith("0") for code in codes) > 50


def test_code_is_deterministic_for_the_same_key():
    # A retried activity must send the very same code again.
    assert make_code(SECRET, "wf-1/activity-7") == make_code(SECRET, "wf-1/activity-7")


def test_codes_differ_across_keys_and_secrets():
    codes = {make_code(SECRET, f"wf-{i}/send") for i in range(1000)}
    # 1000 draws from 10**6 collide about 0.5 times on average.
    assert len(codes) >= 995
    others = [make_code("another-secret", f"wf-{i}/send") for i in range(100)]
    mine = [make_code(SECRET, f"wf-{i}/send") for i in range(100)]
    assert sum(a == b for a, b in zip(others, mine, strict=True)) <= 1


def test_code_digits_are_roughly_uniform():
    codes = [make_code(SECRET, f"k{i}") for i in range(2000)]
    counts = [sum(code[0] == str(d) for code in codes) for d in range(10)]
    assert all(120 < c < 280 for c in counts), counts


def test_digest_is_deterministic_hex():
    digest = code_digest(SECRET, 1, "verification", "123456")
    assert digest == code_digest(SECRET, 1, "verification", "123456")
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert "123456" not in digest


@pytest.mark.parametrize(
    "other",
    [
        (SECRET, 2, "verification", "123456"),  # another account
        (SECRET, 1, "activation", "123456"),  # another purpose
        (SECRET, 1, "verification", "123457"),  # another code
        (SECRET, 1, "verification", "023456"),
        ("another-secret", 1, "verification", "123456"),
    ],
)
def test_digest_differs_by_account_purpose_code_and_secret(other):
    assert code_digest(*other) != code_digest(SECRET, 1, "verification", "123456")


@pytest.mark.parametrize(
    "code, ok",
    [
        ("123456", True),
        ("000000", True),
        ("012345", True),
        ("12345", False),
        ("1234567", False),
        ("", False),
        ("12345a", False),
        (" 12345", False),
        ("123 456", False),
        ("１２３４５６", False),  # full-width digits
        ("١٢٣٤٥٦", False),  # Arabic-Indic digits
        ("12345²", False),  # superscript two counts as a digit for str.isdigit
        ("-12345", False),
    ],
)
def test_is_code_format(code, ok):
    assert is_code_format(code) is ok
