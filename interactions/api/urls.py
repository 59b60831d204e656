from django.urls import path

from interactions.api import views

urlpatterns = [
    path("conversations/", views.ConversationIngestView.as_view(), name="api_conversation_ingest"),
    path("inferences/", views.InferenceIngestView.as_view(), name="api_inference_ingest"),
    path("decisions/", views.DecisionIngestView.as_view(), name="api_decision_ingest"),
]
