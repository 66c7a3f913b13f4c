"""Importing spreadsheets: read (bytes -> sheets of cells) -> map (headers and values to the
catalogue) -> plan (what would change, against the programs stored). All three are pure;
tracker.importing.apply writes a plan in one transaction."""
