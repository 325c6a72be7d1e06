"""How a domain error from a service shows in an HTML form: the one mapping for every page."""

from hlgrid.errors import DomainError


def add_domain_error(form, error: DomainError) -> None:
    """Put each field's messages next to that field (unknown fields and the detail on top)."""
    if error.errors:
        for field, problems in error.errors.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        form.add_error(None, error.detail)
