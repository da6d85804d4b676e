"""Core's one write path: a change to a user-owned resource records its sync change, emits its event and
invalidates the affected days' summaries, declared once per resource."""
