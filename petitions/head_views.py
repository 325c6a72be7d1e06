"""A 楼栋长's or 单元长's report of a problem (a petition with source HEAD) from its phone."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from hlgrid.errors import DomainError
from hlgrid.forms import add_domain_error
from petitions.services.intake import head_petition_report
from residents.heads import head_or_404


class HeadReportForm(forms.Form):
    description = forms.CharField(
        label=_("What is the problem, and where exactly?"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("e.g. the water pipe on the 3rd floor is leaking")}
        ),
    )
    photo = forms.FileField(label=_("Photo (optional)"), required=False)


@login_required
def head_report(request):
    account = head_or_404(request.user)
    form = HeadReportForm(request.POST or None, request.FILES or None)
    petition = None
    if request.method == "POST" and form.is_valid():
        photos = [form.cleaned_data["photo"]] if form.cleaned_data.get("photo") else []
        try:
            petition = head_petition_report(
                actor=request.user, description=form.cleaned_data["description"], photos=photos
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            form = HeadReportForm()
    return render(
        request, "petitions/head_report.html", {"account": account, "form": form, "petition": petition}
    )
