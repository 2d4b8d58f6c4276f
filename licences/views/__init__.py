"""Server-rendered pages of the licence register, by part: `register` (the public register, a firm's licences and
deadlines), `lease` (a lease's payments, milestones and premium; the regulator's queue), `exploration` (an EL's page,
area proposals)."""
