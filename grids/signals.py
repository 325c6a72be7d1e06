"""The grid tree's signals, for the apps above it (which grids may not import)."""

from django.dispatch import Signal

# A new city (a CITY root) was created, inside the creating transaction: `city`.
city_created = Signal()
