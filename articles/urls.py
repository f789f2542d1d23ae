from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    path("articles/<str:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("publications/<str:slug>/", views.PublicationDetailView.as_view(), name="publication"),
    path("tags/<str:slug>/", views.TagDetailView.as_view(), name="tag"),
]
