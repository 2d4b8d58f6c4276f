from django.shortcuts import render


def signup(request):
    return render(request, "base.html")


def dashboard(request):
    return render(request, "base.html")
