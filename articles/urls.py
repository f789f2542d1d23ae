from django.urls import path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    path("articles/<str:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("publications/<str:slug>/", views.PublicationDetailView.as_view(), name="publication"),
    path("publications/<str:slug>/feed/", feeds.PublicationFeed(), name="publication-feed"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("tags/", views.TagListView.as_view(), name="tags"),
    path("tags/<str:slug>/", views.TagDetailView.as_view(), name="tag"),
    path("tags/<str:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
]
