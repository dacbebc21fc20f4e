"""The shop calendar (`calendar`) and the free-slot search over it (`availability`)."""
