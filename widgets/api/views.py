"""The agency's API tokens, managed by its managers (docs/domain.md, "Three ways in")."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from agencies.models import Agency
from agencies.permissions import MANAGER, grant

from ..models import ApiToken
from . import tokens as api_tokens


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]
        labels = {"name": "Name of the system that will use it"}


@never_cache
@grant(MANAGER, agency=Agency, by="slug", to="manage its API tokens")
def api_tokens_page(request, agency):
    """List the agency's tokens and make a new one.

    A new token is shown in the answer to the POST itself, not after a
    redirect: the plaintext must not be kept anywhere (session, messages
    cookie), so this one page shows it once and cannot show it again.
    """
    form = ApiTokenForm(request.POST or None)
    plaintext = new_token = None
    if request.method == "POST" and form.is_valid():
        new_token, plaintext = api_tokens.issue_token(
            agency=agency, name=form.cleaned_data["name"], by=request.user
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(agency=agency).select_related("created_by")
    return render(
        request,
        "widgets/api/api_tokens.html",
        {
            "agency": agency,
            "form": form,
            "tokens": tokens,
            "new_token": new_token,
            "plaintext": plaintext,
        },
    )


@require_POST
@grant(MANAGER, agency=Agency, by="slug", to="manage its API tokens")
def api_token_revoke(request, agency, pk):
    token = get_object_or_404(ApiToken.objects.filter(agency=agency), pk=pk)
    api_tokens.revoke_token(token=token, by=request.user)
    messages.success(request, f"Revoked the token “{token.name}” ({token.prefix}…).")
    return redirect("widgets:api-tokens", slug=agency.slug)
