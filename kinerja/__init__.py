"""kinerja: SOP Pengumpulan Data Kinerja from one master workbook."""

__version__ = "0.1.0"
