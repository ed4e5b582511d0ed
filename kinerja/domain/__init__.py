"""The domain: the SOP, the figures and the working calendar; no files, no workbook."""
