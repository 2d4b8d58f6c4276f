"""The real programme as records: the tranches and auctions the Ministry of Mines ran before Khanij, imported from the
published record (tranche_blocks.csv) as historic tranches and auctions.

`record` reads the published rows and what they say (pure: no ORM); `auctions.services.history.historic_import`
writes them; `manage.py import_history` runs it (make run's seeding runs it after the demo's blocks; in production it
attaches the history to the blocks already registered). A historic record is never run here: it bypasses the status
moves, carries one ledger entry citing its source, and every write of the auction refuses it.
"""
