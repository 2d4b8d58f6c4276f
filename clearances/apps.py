from django.apps import AppConfig


class ClearancesConfig(AppConfig):
    name = "clearances"
    verbose_name = "Clearances after a lease is won"

    def ready(self):
        # The lease's questions (licences.hooks), answered from the cases; licences never imports clearances.
        from clearances.selectors.lease import execution_blockers, milestone_keeper
        from licences import hooks

        hooks.register_execution_blocker(execution_blockers)
        hooks.register_milestone_keeper(milestone_keeper)

        # The full dumps (licences.dumps) include the clearance cases, as their public CSV download gives them.
        from clearances.api.public import CSV_COLUMNS, case_dump_rows
        from licences.dumps import CSVDump, register_csv_dump

        register_csv_dump(CSVDump("clearances.csv", "Clearance cases", tuple(CSV_COLUMNS), case_dump_rows))
