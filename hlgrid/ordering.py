"""Orderings shared by every app."""

from django.db.models.functions import Length


def numbered(field: str) -> tuple:
    """Order house numbers the way people count them: "2" before "10" (shorter first, then
    by text), where a plain text order puts "10" before "2". Numbers of one register share
    their form ("3", "12", or "A3", "A12"), so length-then-text is their numeric order; and it
    stays an index-friendly SQL expression on every database, unlike parsing the digits."""
    return (Length(field), field)
