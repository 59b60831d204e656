"""German dates as the portal writes them: "1. Dezember 2026, 14:05".

The same keys as portal/formats/en/formats.py, so every language reads a date
in the same shape: Django's own German date-and-time ("1. Dezember 2026
14:05") has no comma between the date and the time.
"""

DATE_FORMAT = "j. F Y"
DATETIME_FORMAT = "j. F Y, H:i"
SHORT_DATE_FORMAT = "j. M Y"
SHORT_DATETIME_FORMAT = "j. M Y, H:i"
MONTH_DAY_FORMAT = "j. F"
YEAR_MONTH_FORMAT = "F Y"
