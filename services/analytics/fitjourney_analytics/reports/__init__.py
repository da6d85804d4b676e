"""Reports a user asks for (CSV or PDF), built by the event worker and kept in the object store."""
