"""Food catalogue and users' custom foods."""
