"""Reading core's tables through the read-only role (never core's package): the SQL analytics runs on core."""
