"""Dutch: Django's Dutch formats, with two-digit day and month in short dates so that they
line up in a table (see vpcase/formats/__init__.py)."""

DATE_FORMAT = "j F Y"  # 30 november 2026
TIME_FORMAT = "H:i"  # 12:48
DATETIME_FORMAT = "j F Y H:i"  # 30 november 2026 12:48
YEAR_MONTH_FORMAT = "F Y"  # november 2026
MONTH_DAY_FORMAT = "j F"  # 30 november
SHORT_DATE_FORMAT = "d-m-Y"  # 30-11-2026
SHORT_DATETIME_FORMAT = "d-m-Y H:i"  # 30-11-2026 12:48
FIRST_DAY_OF_WEEK = 1  # maandag
