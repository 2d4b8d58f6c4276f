from django.shortcuts import get_object_or_404, render

from auctions.models import Block


def home(request):
    return render(request, "auctions/home.html", {"block_count": Block.objects.count()})


def block_list(request):
    return render(request, "auctions/block_list.html", {"blocks": Block.objects.all()[:50]})


def block_detail(request, code):
    return render(request, "auctions/block_detail.html", {"block": get_object_or_404(Block, code=code)})
