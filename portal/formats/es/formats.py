"""Spanish dates as the portal writes them: "1 de diciembre de 2026, 14:05".

The same keys as portal/formats/en/formats.py, so every language reads a date
in the same shape: Django's own Spanish date-and-time reads "1 de diciembre de
2026 a las 14:05".
"""

DATE_FORMAT = r"j \d\e F \d\e Y"
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
SHORT_DATE_FORMAT = "j b Y"  # "1 dic 2026": Spanish months are written in lower case
SHORT_DATETIME_FORMAT = "j b Y, H:i"
MONTH_DAY_FORMAT = r"j \d\e F"
YEAR_MONTH_FORMAT = r"F \d\e Y"
