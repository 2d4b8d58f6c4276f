"""Every shaped read of clearance cases: the clock in SQL (`clock`), who a user is to a case (`access`), the
cases a licence needs and has (`cases`), what the lease asks of them (`lease`); and for the screens: who a user is
to every case at once (`viewer`), the lists with the open stage's clock (`lists`), the overdue and escalated
stages (`board`), the public statistics (`stats`) and the public record (`public`). No selector imports a
service."""
