from django.shortcuts import render

from auctions.models import Block


def block_list(request):
    return render(request, "auctions/block_list.html", {"blocks": Block.objects.all()[:50]})


def block_import(request):
    return render(request, "auctions/block_list.html", {"blocks": []})
