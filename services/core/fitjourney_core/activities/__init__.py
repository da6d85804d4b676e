"""The activity catalogue with MET values (Compendium of Physical Activities)."""
