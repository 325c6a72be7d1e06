"""The 督办 panel on the petition, whistle and resolution pages (hlgrid.panels): the orders on
the object, and the issue link for a head or official over the object's node."""

from django.utils import timezone

from supervision import policy, selectors

# Where each subject sits in the tree (the node a head must lead to issue an order on it), and
# whether it has someone to answer an order: a petition needs its assignee or department, a
# resolution its owner; a whistle always has the departments it summoned (one is chosen on the
# issue form), open or closed, since a late or thin check-in is what a head supervises.
NODE = {"petition": lambda o: o.grid, "whistle": lambda o: o.street, "resolution": lambda o: o.node}
ANSWERABLE = {
    "petition": lambda o: bool(o.assignee_id or o.department_id),
    "whistle": lambda o: True,
    "resolution": lambda o: bool(o.owner_id),
}


def _panel(subject: str):
    def panel(obj, user):
        orders = selectors.orders_for(user=user, subject=subject, obj=obj, now=timezone.now())
        may_issue = ANSWERABLE[subject](obj) and policy.may_lead(user, NODE[subject](obj))
        if not orders and not may_issue:
            return None
        return "supervision/_panel.html", {
            "orders": orders,
            "may_issue": may_issue,
            "subject": subject,
            "object": obj,
        }

    return panel


petition_panel = _panel("petition")
whistle_panel = _panel("whistle")
resolution_panel = _panel("resolution")
