"""People and their access: accounts, sign-in and its throttle, passwords, API tokens, password resets."""
