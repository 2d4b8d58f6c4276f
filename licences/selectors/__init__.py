"""Every shaped read of the licence register, one module per audience or part: `register` (the public register,
a firm's licences and deadlines), `dues` (a lease's obligations, payments and premium for its holder and the
regulators), `exploration` (an EL's page), `proposals` (area proposals), over `common` (today, a licence's
Rules, a user's role in the holder). No selector imports a service: the services import these."""
