"""Pages after the auction: a licence's payments, milestones and premium (its holder's members and regulators),
and the regulator's queue."""

from django.urls import path

from licences.views import lease as views

app_name = "licence_post"

urlpatterns = [
    path("licences/<int:pk>/payments/", views.payments, name="payments"),
    path("licences/<int:pk>/payments/<int:payment_id>/confirm/", views.payment_confirm, name="payment_confirm"),
    path("licences/<int:pk>/payments/<int:payment_id>/reject/", views.payment_reject, name="payment_reject"),
    path("licences/<int:pk>/milestones/", views.milestones, name="milestones"),
    path("licences/<int:pk>/loi/", views.loi, name="loi"),
    path("licences/<int:pk>/obligations/<int:obligation_id>/met/", views.obligation_met, name="obligation_met"),
    path("licences/<int:pk>/mdpa/", views.mdpa, name="mdpa"),
    path("licences/<int:pk>/execute/", views.execute, name="execute"),
    path("licences/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("licences/<int:pk>/premium/", views.premium, name="premium"),
    path("regulator/licences/", views.regulator_queue, name="regulator_queue"),
]
