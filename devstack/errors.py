"""The one error the local tooling raises: a setup problem with a fix the user can apply."""


class SetupError(Exception):
    """Printed as a single line (what is wrong and how to fix it), never as a traceback."""
