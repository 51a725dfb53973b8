from django.urls import path

from . import dashboard_views, review_views, views
from .huddles import problem_views
from .huddles import views as board_views

app_name = "outcomes"
urlpatterns = [
    path("", views.outcome_list, name="list"),
    path("<int:pk>/", views.outcome_detail, name="detail"),
    path("<int:pk>/edit/", views.outcome_edit, name="edit"),
    path("<int:pk>/step-changes/new/", views.step_change_create, name="step-change-create"),
    path("<int:pk>/measurements/new/", views.measurement_create, name="measurement-create"),
    path("measurements/import/", views.measurement_import, name="measurement-import"),
    path(
        "measurements/import/template.csv",
        views.measurement_import_template,
        name="measurement-import-template",
    ),
    path("boards/", board_views.board_index, name="boards"),
    path("boards/<int:pk>/", board_views.board_page, name="board"),
    path("boards/<int:pk>/tv/", board_views.board_tv, name="board-tv"),
    path("boards/<int:pk>/measures/", board_views.board_measures, name="board-measures"),
    path("boards/<int:pk>/problems/new/", problem_views.problem_create, name="problem-create"),
    path("problems/<int:pk>/", problem_views.problem_detail, name="problem"),
    path("problems/<int:pk>/edit/", problem_views.problem_edit, name="problem-edit"),
    path(
        "problems/<int:pk>/actions/new/",
        problem_views.action_create,
        name="problem-action-create",
    ),
    path("problems/actions/<int:pk>/done/", problem_views.action_done, name="problem-action-done"),
    path("problems/<int:pk>/escalate/", problem_views.problem_escalate, name="problem-escalate"),
    path(
        "problems/<int:pk>/send-back/",
        problem_views.problem_send_back,
        name="problem-send-back",
    ),
    path(
        "problems/<int:pk>/solve/<slug:depth>/",
        problem_views.problem_solve,
        name="problem-solve",
    ),
    path("problems/<int:pk>/a3/", problem_views.problem_a3, name="problem-a3"),
    path(
        "problems/<int:pk>/countermeasure/",
        problem_views.problem_countermeasure,
        name="problem-countermeasure",
    ),
    path("scorecard/", dashboard_views.scorecard, name="scorecard"),
    path("agency/<slug:slug>/", dashboard_views.agency_dashboard, name="dashboard"),
    path("agency/<slug:slug>/flows/", dashboard_views.widget_flows, name="flows"),
    path("agency/<slug:slug>/huddle/", dashboard_views.huddle, name="huddle"),
    path("agency/<slug:slug>/engagement/", dashboard_views.engagement_page, name="engagement"),
    path("agency/<slug:slug>/new/", views.outcome_create, name="create"),
    path("agency/<slug:slug>/reviews/", review_views.review_list, name="review-list"),
    path("agency/<slug:slug>/reviews/new/", review_views.review_create, name="review-create"),
    path(
        "agency/<slug:slug>/countermeasures/new/",
        review_views.countermeasure_create,
        name="countermeasure-create",
    ),
    path(
        "countermeasures/<int:pk>/edit/",
        review_views.countermeasure_edit,
        name="countermeasure-edit",
    ),
    path("reviews/<int:pk>/", review_views.review_detail, name="review-detail"),
    path("reviews/<int:pk>/close/", review_views.review_close, name="review-close"),
    path("reviews/<int:pk>/pack/", review_views.review_pack, name="review-pack"),
    path("reviews/<int:pk>/pack.pdf", review_views.review_pack_pdf, name="review-pack-pdf"),
    path("reviews/<int:pk>/pack/make/", review_views.review_pack_make, name="review-pack-make"),
]
