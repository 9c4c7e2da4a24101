"""Normalizing what a physician types: resident ID, name, phone, email, username; masking."""

import re
from datetime import date

import pytest

from registry.errors import DomainError
from registry.identifiers import (
    id_check_character,
    mask,
    mask_name,
    normalize_email,
    normalize_id_number,
    normalize_name,
    normalize_phone,
    normalize_username,
)

HAN = re.compile("[\u3400-\u9fff]")


def make_id(first17: str) -> str:
    return first17 + id_check_character(first17)


def rejected(func, value, code, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        func(value, **kwargs)
    assert info.value.code == code
    assert info.value.status == 422
    return info.value


# A first-17 whose check character is X, found once so the tests below stay readable.
ID_X_FIRST17 = next(
    f"11010519491231{seq:03d}"
    for seq in range(1000)
    if id_check_character(f"11010519491231{seq:03d}") == "X"
)


# --- resident ID (GB 11643) -----------------------------------------------------------------


# Resident IDs published with their check character, none computed here: the two worked
# examples of GB 11643-1999 itself, and the examples of python-stdnum's cn.ric (its module doc
# and tests/test_cn_ric.doctest), checked there by another implementation. Between them they
# end in X and in eight different digits.
PUBLISHED_IDS = [
    "11010519491231002X",  # GB 11643-1999: 北京市朝阳区, born 1949-12-31, a woman
    "440524188001010014",  # GB 11643-1999: 广东省汕头市潮阳县, born 1880-01-01, a man
    "360426199101010071",  # python-stdnum
    "44011320141005001X",  # python-stdnum
    "412723199010050012",  # python-stdnum
    "110102199101010078",  # python-stdnum
    "120110198012010073",  # python-stdnum
    "120110199212010072",  # python-stdnum
]
# A worked example of the MOD 11-2 sum whose first 17 digits are no real ID (its "birth date"
# is 7890-12-34): weighted sum 368, 368 mod 11 = 5, check character (12 - 5) mod 11 = 7.
WORKED_SUM = ("12345678901234567", "7")


@pytest.mark.parametrize("number", PUBLISHED_IDS)
def test_check_character_of_published_examples(number):
    assert id_check_character(number[:17]) == number[17]


def test_check_character_of_the_worked_sum():
    first17, check = WORKED_SUM
    assert id_check_character(first17) == check


# 1880-01-01 is before the oldest birth date accepted (1900): of that one, the check only.
BORN_SINCE_1900 = [number for number in PUBLISHED_IDS if number[6:10] >= "1900"]


@pytest.mark.parametrize("number", BORN_SINCE_1900)
def test_published_examples_are_valid_ids(number):
    assert normalize_id_number(number.lower()) == number


def test_faker_ids_are_valid(faker):
    faker.seed_instance(11643)
    ids = {faker.ssn() for _ in range(200)}
    assert len(ids) > 150
    for number in ids:
        assert normalize_id_number(number) == number


@pytest.mark.parametrize(
    "first17",
    [
        "43058119900101123",  # 武冈市: a real county no data package needs to list
        "43058120000229001",  # a leap day
        "65010219880612471",
        "83000019991231001",  # residence permit of a Hong Kong/Macau/Taiwan resident
        "11010119000101001",  # the earliest accepted birth date
    ],
)
def test_real_format_ids_are_valid_whatever_the_county(first17):
    number = make_id(first17)
    assert normalize_id_number(number) == number


def test_lowercase_x_is_normalized_and_spaces_stripped():
    number = ID_X_FIRST17 + "X"
    assert normalize_id_number(ID_X_FIRST17 + "x") == number
    assert normalize_id_number(f"  {ID_X_FIRST17}x \n") == number
    assert normalize_id_number("\t" + make_id("43058119900101123") + " ") == make_id(
        "43058119900101123"
    )


@pytest.mark.parametrize("number", BORN_SINCE_1900)
def test_wrong_check_character_is_rejected(number):
    for wrong in set("0123456789X") - {number[-1]}:
        error = rejected(normalize_id_number, number[:17] + wrong, "id_number_invalid")
        assert error.message() == "居民身份证号码不正确：校验码不正确"
        assert "check character" in error.message("en")
    # and python-stdnum's example of a wrong one
    rejected(normalize_id_number, "36042619910102009X", "id_number_invalid")


@pytest.mark.parametrize(
    "first17, reason, zh, en",
    [
        ("43058119990230123", "id_birth_date", "出生日期不存在", "birth date does not exist"),
        ("43058119000229123", "id_birth_date", "出生日期不存在", "birth date does not exist"),
        ("43058119901301123", "id_birth_date", "出生日期不存在", "birth date does not exist"),
        ("43058119900100123", "id_birth_date", "出生日期不存在", "birth date does not exist"),
        ("43058118991231123", "id_birth_range", "出生日期不在有效范围内", "out of range"),
        ("43058130000101123", "id_birth_range", "出生日期不在有效范围内", "out of range"),
        ("99058119900101123", "id_province", "省级行政区划代码不存在", "province code"),
        ("00058119900101123", "id_province", "省级行政区划代码不存在", "province code"),
        ("10058119900101123", "id_province", "省级行政区划代码不存在", "province code"),
        ("72058119900101123", "id_province", "省级行政区划代码不存在", "province code"),
    ],
)
def test_impossible_dates_and_provinces_are_rejected_with_their_reason(first17, reason, zh, en):
    # Correct check character, so the reason shown is the real problem.
    error = rejected(normalize_id_number, make_id(first17), "id_number_invalid")
    assert error.params == {"reason": reason}
    assert error.message("zh") == f"居民身份证号码不正确：{zh}"
    assert error.message("en").startswith("The resident ID number is not valid: ")
    assert en in error.message("en")
    assert not HAN.search(error.message("en"))


def test_birth_date_may_be_today_but_not_tomorrow():
    today = date(2024, 6, 1)
    assert normalize_id_number(make_id("43058120240601123"), today=today)
    rejected(normalize_id_number, make_id("43058120240602123"), "id_number_invalid", today=today)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "43058119900101123",  # 17 digits
        make_id("43058119900101123") + "1",  # 19 characters
        "4305811990010112",
        "43058119900101123A",
        "4305811990010112X3",  # X not at the end
        "43O58119900101123" + "5",  # letter O instead of zero
        "430581-19900101-1235",
        "430581 19900101 1235",
        "110105194912310٠٢X",  # Arabic-Indic digits
        "11010519491231002X\u200b",  # zero-width space
    ],
)
def test_malformed_ids_are_rejected(value):
    error = rejected(normalize_id_number, value, "id_number_invalid")
    assert "18位" in error.message("zh")
    assert "18 characters" in error.message("en")


def test_non_ascii_digits_are_not_returned_as_an_id():
    # Regression: ``\d`` also matched Arabic-Indic digits, so this came back as "valid".
    first17 = "110101199003073٣٣"
    rejected(normalize_id_number, first17 + id_check_character(first17), "id_number_invalid")


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("张伟", "张伟"),
        ("欧阳娜娜", "欧阳娜娜"),
        ("  王芳 ", "王芳"),
        ("\u3000陈静\u3000", "陈静"),  # ideographic spaces
        ("𠀀伟", "𠀀伟"),  # CJK extension B
        ("买买提·艾力", "买买提·艾力"),
        ("买买提.艾力", "买买提·艾力"),
        ("买买提•艾力", "买买提·艾力"),
        ("买买提・艾力", "买买提·艾力"),
        ("买买提‧艾力", "买买提·艾力"),
        ("买买提．艾力", "买买提·艾力"),
        ("阿卜杜勒·克里木·买买提", "阿卜杜勒·克里木·买买提"),
        ("张" * 30, "张" * 30),
    ],
)
def test_valid_names_are_normalized(value, expected):
    assert normalize_name(value) == expected


def test_faker_chinese_names_pass(faker):
    faker.seed_instance(2)
    for _ in range(200):
        name = faker.name()
        assert normalize_name(name) == name


@pytest.mark.parametrize(
    "value",
    [
        "",
        "张",
        "张" * 31,
        "Zhang Wei",
        "张Wei",
        "张伟1",
        "张伟１",
        "张 伟",
        "张\u3000伟",
        "张伟😀",
        "·买买提",
        "买买提·",
        ".买买提",
        "买买提··艾力",
        "买买提..艾力",
        "买买提·.艾力",
        "·",
        "张-伟",
        "张_伟",
        "李四（医生）",
    ],
)
def test_invalid_names_are_rejected(value):
    error = rejected(normalize_name, value, "name_invalid")
    assert "汉字" in error.message()


# --- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13800138000",
        " 13800138000 ",
        "+86 138 0013 8000",
        "+8613800138000",
        "138-0013-8000",
        "0086 138 0013 8000",
    ],
)
def test_mainland_mobiles_become_11_digits(value):
    assert normalize_phone(value) == "13800138000"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "12345",
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "010-12345678",  # Beijing landline
        "0731-84822114",  # Changsha landline
        "+86 10 1234 5678",
        "95588",  # service number
        "+1 650 253 0000",
        "+852 9123 4567",  # Hong Kong mobile
        "+44 7911 123456",
        "10086",
    ],
)
def test_landlines_short_and_foreign_numbers_are_rejected(value):
    error = rejected(normalize_phone, value, "phone_invalid")
    assert "11位" in error.message()


# --- emails and usernames -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("doctor@example.com", "doctor@example.com"),
        ("  doctor@Example.COM ", "doctor@example.com"),
        ("Zhang.Wei+ereg@hospital.cn", "Zhang.Wei+ereg@hospital.cn"),
        ("张伟@例子.中国", "张伟@例子.中国"),
    ],
)
def test_emails_are_normalized(value, expected):
    assert normalize_email(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "doctor",
        "doctor@",
        "@example.com",
        "doctor@example",
        "a b@example.com",
        "a@@b.cn",
        "doctor@exa mple.com",
        "doctor@.com",
        "doctor@example..com",
    ],
)
def test_malformed_emails_are_rejected(value):
    rejected(normalize_email, value, "email_invalid")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("abcd", "abcd"),
        ("ZhangWei", "zhangwei"),
        ("dr.zhang_wei-01", "dr.zhang_wei-01"),
        ("A" * 32, "a" * 32),
    ],
)
def test_usernames_are_lowercased(value, expected):
    assert normalize_username(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "a" * 33,
        "zhang wei",
        " abcd",
        "abcd ",
        "abcd\n",  # regression: ``$`` also matched before a trailing newline
        "张伟医生",
        "doctor@ereg",
        "abc!",
        "ａｂｃｄ",  # full-width letters
    ],
)
def test_invalid_usernames_are_rejected(value):
    rejected(normalize_username, value, "username_invalid")


# --- masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("13800138000", "*******8000"),
        ("43058119900101123X", "**************123X"),
        ("doctor@example.com", "**************.com"),
        ("1234", "1234"),
        ("", ""),
    ],
)
def test_mask_shows_only_the_last_four(value, expected):
    assert mask(value) == expected
    assert len(mask(value)) == len(value)


@pytest.mark.parametrize(
    "visible, expected", [(0, "******"), (2, "****et"), (6, "secret"), (10, "secret")]
)
def test_mask_with_other_visible_counts(visible, expected):
    # Regression: visible=0 used to show everything (value[-0:] is the whole string).
    assert mask("secret", visible) == expected


@pytest.mark.parametrize(
    "value, expected",
    [("张伟", "张*"), ("欧阳娜娜", "欧***"), ("买买提·艾力", "买*****"), ("王", "王"), ("", "")],
)
def test_mask_name_keeps_the_surname(value, expected):
    assert mask_name(value) == expected


def test_id_number_typed_with_full_width_digits_is_accepted():
    from registry.identifiers import id_check_character, normalize_id_number

    number = "43058119900101123" + id_check_character("43058119900101123")
    full_width = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    assert normalize_id_number(full_width) == number
