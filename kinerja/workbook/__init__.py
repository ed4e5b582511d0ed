"""The workbook layer: tables and sheets described once, the master, what is written (`description`) and the writers that build or save it."""
