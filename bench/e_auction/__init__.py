"""Issue 3's bidding benchmark (`python bench/bidding.py`, documented there and in bench/README.md), by concern:

- `setup_auctions`: firms, one tranche, every firm qualified in every auction, each e-auction live (the services);
- `ceiling`: pgbench's one contended row lock, the ceiling the HTTP offers are measured against;
- `bidders`: closed- and open-loop bidders posting offers over HTTP, and their figures;
- `rooms`: open rooms polling the room state or following its server-sent events while bidders offer;
- `checks`: offer_place in-process (how long the row lock is held), and the auctions' invariants after a run;
- `cli`: the command's options; `run`: one run, in turns; `report`: the goals, the invariants, the saved figures.
"""
