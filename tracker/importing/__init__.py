"""Importing spreadsheets: read (bytes -> sheets of cells) -> headers (which row names the
columns, and what each name means) -> mapping (values to the catalogue) -> plan (what would
change, against the programs stored). All four are pure; tracker.importing.drafts decides what a
file is and keeps an upload until it is applied, tracker.importing.apply writes a plan in one
transaction and undoes it."""
