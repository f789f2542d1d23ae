from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.PersonListView.as_view(), name="list"),
    path("<str:slug>/", views.PersonDetailView.as_view(), name="detail"),
    path("<str:slug>/feed/", views.PersonFeed(), name="feed"),
]
