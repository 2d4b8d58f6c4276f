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
