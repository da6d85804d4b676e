"""Sessions: sign-in, refresh-token rotation, sign-out, and the caller's list of signed-in devices."""
