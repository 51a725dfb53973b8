"""Every refused write is one family of exceptions, answered as a 409 when no view
answers it itself (agencies.errors, agencies.middleware.NothingSavedMiddleware)."""

import pytest
from django.test import RequestFactory

from agencies.errors import EditConflict, NothingSaved, UploadRejected
from agencies.middleware import NothingSavedMiddleware
from outcomes import services as outcome_services
from widgets import counting
from widgets.catalogue import services as widget_services
from widgets.surveys.results import ImportRefused


def test_every_refusal_is_nothing_saved():
    assert issubclass(counting.CountConflict, NothingSaved)
    assert widget_services.EditConflict is EditConflict
    assert outcome_services.EditConflict is EditConflict
    assert issubclass(ImportRefused, UploadRejected)
    assert issubclass(UploadRejected, NothingSaved)


@pytest.mark.django_db
def test_an_unanswered_refusal_is_a_409_with_its_message(staff_a):
    request = RequestFactory().post("/anything")
    request.user = staff_a
    middleware = NothingSavedMiddleware(lambda r: None)
    response = middleware.process_exception(
        request, counting.CountConflict(message="Row 3 was saved by someone else.")
    )
    assert response.status_code == 409
    assert "Row 3 was saved by someone else." in response.content.decode()
    assert middleware.process_exception(request, ValueError("not ours")) is None
