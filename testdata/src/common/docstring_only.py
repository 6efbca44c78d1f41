"""Only a docstring: the module is empty at -OO."""
