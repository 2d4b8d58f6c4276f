"""Every shaped read of clearance cases: the clock in SQL (`clock`), who a user is to a case (`access`), the
cases a licence needs and has (`cases`). No selector imports a service."""
