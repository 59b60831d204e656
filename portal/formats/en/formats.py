"""English dates as the portal writes them everywhere: "30 November 2026, 14:05".

Django's own English formats are American ("Nov. 30, 2026"); the portal's
customers read the day first. Other languages keep Django's formats for them.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
