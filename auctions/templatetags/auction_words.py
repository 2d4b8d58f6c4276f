"""`{% with w=auction.direction|auction_words %}`: the words of an auction by its direction (auctions.wording)."""

from django import template

from auctions.wording import words

register = template.Library()


@register.filter
def auction_words(direction) -> dict:
    return words(direction)
