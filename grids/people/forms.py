"""HTML forms of the people pages: they parse input; the rules live in grids.people.services
and grids.services (post_assign, post_move)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grids.models import PostKind

STATUS_CHOICES = [("", _("All")), ("active", _("Active")), ("inactive", _("Deactivated"))]


class _Styled:
    """Bootstrap classes on every widget (the templates render `{{ field }}`)."""

    def _style(self):
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


def _node_label(node) -> str:
    return f"{'　' * node.level}{node.name}（{node.code}）"


class _NodeChoices(_Styled):
    """A form with node (and department) choices from the manager's subtree."""

    def _set_nodes(self, nodes, departments):
        self.nodes = {str(n.pk): n for n in nodes}
        self.departments = {str(d.pk): d for d in departments}
        self.fields["node"].choices = [(k, _node_label(n)) for k, n in self.nodes.items()]
        if "department" in self.fields:
            self.fields["department"].choices = [("", "—")] + [
                (k, f"{d.name}（{d.code}）") for k, d in self.departments.items()
            ]

    def node(self):
        return self.nodes[self.cleaned_data["node"]]

    def department(self):
        key = self.cleaned_data.get("department")
        return self.departments[key] if key else None


class StaffFilterForm(_Styled, forms.Form):
    q = forms.CharField(label=_("Name, username or phone"), required=False, max_length=64)
    kind = forms.ChoiceField(label=_("Post"), required=False)
    node = forms.ChoiceField(label=_("Node"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.nodes = {str(n.pk): n for n in nodes}
        self.fields["kind"].choices = [("", _("All"))] + list(PostKind.choices)
        self.fields["node"].choices = [("", _("All"))] + [(k, _node_label(n)) for k, n in self.nodes.items()]
        self._style()

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"],
            "kind": data["kind"] or None,
            "node": self.nodes.get(data["node"]),
            "status": data["status"],
        }


class GrantForm(_NodeChoices, forms.Form):
    kind = forms.ChoiceField(label=_("Post"), choices=PostKind.choices)
    node = forms.ChoiceField(label=_("Node"))
    department = forms.ChoiceField(label=_("Department"), required=False)

    def __init__(self, *args, nodes=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._set_nodes(nodes, departments)
        self._style()


class AccountForm(GrantForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=64)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to generate one. It is shown once and must be changed at the first login."),
    )

    field_order = ["username", "name", "phone", "password", "kind", "node", "department"]


class MoveForm(_NodeChoices, forms.Form):
    node = forms.ChoiceField(label=_("New node"))
    department = forms.ChoiceField(label=_("Department"), required=False)

    def __init__(self, *args, nodes=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._set_nodes(nodes, departments)
        self._style()


class ResetPasswordForm(_Styled, forms.Form):
    password = forms.CharField(
        label=_("New password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to generate one. It is shown once and must be changed at the next login."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class StaffImportForm(_Styled, forms.Form):
    file = forms.FileField(label=_("Staff list (.xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
