"""Password recovery: reset tokens sent by mail, and the reset itself."""
