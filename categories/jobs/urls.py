from django.urls import path

from categories.jobs import views

urlpatterns = [
    path("jobs/", views.job_list_page, name="job_list"),
    path("jobs/move/", views.move_page, name="job_move"),
    path("jobs/move/start/", views.move_start_submit, name="job_move_start"),
    path("jobs/merge/<gid:gid>/", views.merge_page, name="job_merge"),
    path("jobs/<int:pk>/", views.job_page, name="job"),
    path("jobs/<int:pk>/cancel/", views.job_cancel_submit, name="job_cancel"),
    path("jobs/<int:pk>/undo/", views.job_undo_submit, name="job_undo"),
    path("jobs/<int:pk>/retry/", views.job_retry_submit, name="job_retry"),
]
