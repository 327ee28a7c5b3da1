"""The studies: the dependency analysis, groupings, bias, and their reports."""
