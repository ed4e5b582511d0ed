"""Everything that writes into the master, in one place.

- `description`: what to write (`WorkbookWrites`), plain data every stage returns;
- `style`: the colours and fonts every writer shares;
- `book`: the openpyxl writer, for building new workbooks (the master at init, forms);
- `package`: the package writer, which patches the parts of an existing master that change;
- `files`: the master on disk, replaced atomically with a backup.

The live writer (the workbook open in Excel) is `kinerja.excel.live`. Nothing here imports its
callers or the Excel side.
"""
