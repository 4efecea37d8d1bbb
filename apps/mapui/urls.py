"""Routes of the map: the page /map/ and the vector tiles /tiles/{layer}/{z}/{x}/{y}.pbf."""
from django.urls import path

from . import views

page_urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("tiles/<str:layer>/<int:z>/<int:x>/<int:y>.pbf", views.TileView.as_view(), name="tiles"),
]
