"""Date and time formats per language (settings.FORMAT_MODULE_PATH).

One rule: day before month and a 24-hour clock, in both languages, so that the English pages
never show "11/30/2026 12:48 p.m.". English short dates spell the month ("30 Nov 2026"): a
reader used to month-first numbers can not misread it. Anything not set here (input formats,
number separators) comes from Django's own locale files.
"""
