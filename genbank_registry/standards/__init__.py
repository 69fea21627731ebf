"""Exports in the data standards: MCPD, Darwin Core Archive, INSDC; the spreadsheet-safety helpers they share."""
