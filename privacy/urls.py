from django.urls import path

from privacy.views import human_review, my_data, preferences, requests, transparency

urlpatterns = [
    path("my-data/", my_data.my_data, name="my_data"),
    path("my-data/<str:source_key>/", my_data.my_data_source, name="my_data_source"),
    path("ai/", transparency.ai_transparency, name="ai_transparency"),
    path(".well-known/gpc.json", transparency.gpc_json, name="gpc_json"),
    path("preferences/", preferences.ai_preferences, name="ai_preferences"),
    path("preferences/always-human/", preferences.always_human_set, name="always_human_set"),
    path("preferences/<slug:slug>/", preferences.ai_preference_set, name="ai_preference_set"),
    path("human-review/", human_review.human_review_list, name="human_review_list"),
    path("human-review/<int:pk>/", human_review.human_review_detail, name="human_review_detail"),
    path("human-review/new/<str:source_key>/<int:object_id>/", human_review.human_review_new, name="human_review_new"),
    path("requests/", requests.request_list, name="privacy_request_list"),
    path("requests/export/", requests.export_new, name="export_new"),
    path("requests/erasure/", requests.erasure_new, name="erasure_new"),
    path("requests/<int:pk>/", requests.request_detail, name="privacy_request_detail"),
    path("requests/<int:pk>/cancel/", requests.request_cancel, name="privacy_request_cancel"),
    path("requests/<int:pk>/download/", requests.export_download, name="export_download"),
    path("ai-flags/new/<str:source_key>/<int:object_id>/", human_review.ai_flag_new, name="ai_flag_new"),
]
