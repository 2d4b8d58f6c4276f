"""`{% auction_programme %}`: the programme of tranches in figures (auctions.selectors.public.programme_figures),
for pages of the apps below auctions (the registry's home page) that must not import it."""

from django import template

from auctions.selectors.public import programme_figures

register = template.Library()


@register.inclusion_tag("auctions/public/_programme.html")
def auction_programme():
    return {"figures": programme_figures()}
