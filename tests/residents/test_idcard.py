import datetime

import pytest

from residents import idcard

TODAY = datetime.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        ("11010519491231002X", datetime.date(1949, 12, 31), "F"),
        ("222406200002290224", datetime.date(2000, 2, 29), "F"),
        ("222406199001011232", datetime.date(1990, 1, 1), "M"),
    ],
)
def test_it_accepts_valid_numbers_and_derives_birth_date_and_sex(number, birth, sex):
    parsed = idcard.parse(number, today=TODAY)
    assert (parsed.number, parsed.birth_date, parsed.sex) == (number, birth, sex)
    assert parsed.region == number[:6]


def test_a_lowercase_x_is_accepted_and_stored_as_uppercase():
    assert idcard.parse("11010519491231002x", today=TODAY).number == "11010519491231002X"
    assert idcard.parse(" 110105 1949 1231 002x ", today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("11010519491231002", "18 characters"),
        ("1101051949123100211", "18 characters"),
        ("11010519491231002Y", "17 digits"),
        ("1101051949123100X2", "17 digits"),
        ("990105194912310025", "address code"),  # no province 99
        ("110000194912310021", "address code"),  # a province, not a county
        ("110105194902300027", "not a real date"),  # 30 February
        ("110105194913010021", "not a real date"),  # month 13
        ("110105203001010026", "in the future"),
        ("440524188001010014", "before 1900"),
        ("110105194912310021", "check character"),
    ],
)
def test_it_refuses_bad_numbers_with_the_reason(number, reason):
    with pytest.raises(idcard.InvalidIdNumber, match=reason):
        idcard.parse(number, today=TODAY)
    assert not idcard.is_valid(number, today=TODAY)


def test_every_single_digit_change_breaks_the_check_character():
    good = idcard.make("222406", datetime.date(1975, 6, 30), 88)
    for position in range(14, 17):  # sequence digits: the date stays valid
        for digit in "0123456789":
            if digit == good[position]:
                continue
            changed = good[:position] + digit + good[position + 1 :]
            assert not idcard.is_valid(changed, today=TODAY)


def test_the_check_character_follows_iso_7064_mod_11_2():
    # The worked example of GB 11643-1999.
    assert idcard.check_char("11010519491231002") == "X"
    assert idcard.check_char("44052418800101001") == "4"


def test_make_builds_valid_numbers_with_the_sex_of_the_sequence():
    male = idcard.make("222406", datetime.date(2001, 2, 28), 7)
    female = idcard.make("222406", datetime.date(2001, 2, 28), 8)
    assert idcard.parse(male, today=TODAY).sex == "M"
    assert idcard.parse(female, today=TODAY).sex == "F"
    with pytest.raises(ValueError):
        idcard.make("2224", datetime.date(2001, 2, 28), 7)


def test_the_birth_date_may_be_today_but_not_tomorrow():
    born_today = idcard.make("222406", TODAY, 1)
    assert idcard.parse(born_today, today=TODAY).birth_date == TODAY
    born_tomorrow = idcard.make("222406", TODAY + datetime.timedelta(days=1), 1)
    with pytest.raises(idcard.InvalidIdNumber, match="future"):
        idcard.parse(born_tomorrow, today=TODAY)
