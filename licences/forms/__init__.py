"""Forms of the licence pages: `lease` and `exploration`; they read input, the services decide."""
