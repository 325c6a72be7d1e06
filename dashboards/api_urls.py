from django.urls import path

from dashboards import api

urlpatterns = [
    path("<int:node_id>/", api.HeadlineView.as_view(), name="dashboard"),
    path("<int:node_id>/children/", api.ChildrenView.as_view(), name="dashboard-children"),
    path("<int:node_id>/lights/", api.LightsView.as_view(), name="dashboard-lights"),
    path("<int:node_id>/trends/", api.TrendsView.as_view(), name="dashboard-trends"),
    path("<int:node_id>/map/", api.MapView.as_view(), name="dashboard-map"),
    path("<int:node_id>/history/", api.HistoryView.as_view(), name="dashboard-history"),
    path("<int:node_id>/hotspots/", api.HotspotsView.as_view(), name="dashboard-hotspots"),
    path("<int:node_id>/targeted/", api.TargetedView.as_view(), name="dashboard-targeted"),
]
