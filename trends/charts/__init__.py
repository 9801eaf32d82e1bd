"""Charts of themes and trends: one function per figure, one file per function."""
