"""The workbook layer: the master's tables and sheets described once, and everything that writes.

- `tables`, `sheets`: each sheet described once, read back leniently;
- `master`: the master workbook built (`build_master`), loaded (`load_master`) and checked;
- `description`: what to write (`WorkbookWrites`), plain data every stage returns;
- `style`: the colours and fonts every writer shares;
- `book`: the openpyxl writer, for building new workbooks (the master at init, forms);
- `files`: the master on disk, patched (`kinerja.ooxml.patch`), replaced atomically with a backup;
- `macro`, `ribbon`, `addin/`: the macro-enabled master (Panel sheet, VBA, ribbon).

The live writer (the workbook open in Excel) is `kinerja.excel.live`. Nothing here imports the
doors (`kinerja/cli/`, `kinerja/excel/`).
"""
