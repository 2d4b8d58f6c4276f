from django.apps import AppConfig


class AuctionsConfig(AppConfig):
    name = "auctions"
    verbose_name = "Tranches and auctions"

    def ready(self):
        from auctions import due_dates as d
        from notifications.audiences import audience_register

        # The audiences of the auctions' dates (auctions/due_dates.py), read when a reminder is sent.
        audience_register(d.PARTICIPANTS, users=d.participants_users, keys_of=d.participants_keys)
        audience_register(d.BIDDING, users=d.bidding_users, keys_of=d.bidding_keys)
        audience_register(d.ROUND_2, users=d.round_2_users, keys_of=d.round_2_keys)
