"""DNA sequences: their table, the bulk store behind imports, QC flags, INSDC formats, the public view and the review of submitted batches."""
