"""English: day month year and a 24-hour clock (see vpcase/formats/__init__.py)."""

DATE_FORMAT = "j F Y"  # 30 November 2026
TIME_FORMAT = "H:i"  # 12:48
DATETIME_FORMAT = "j F Y H:i"  # 30 November 2026 12:48
YEAR_MONTH_FORMAT = "F Y"  # November 2026
MONTH_DAY_FORMAT = "j F"  # 30 November
SHORT_DATE_FORMAT = "j M Y"  # 30 Nov 2026
SHORT_DATETIME_FORMAT = "j M Y H:i"  # 30 Nov 2026 12:48
FIRST_DAY_OF_WEEK = 1  # Monday
