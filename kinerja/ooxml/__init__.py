"""The OOXML layer: an .xlsx/.xlsm package and its parts (`opc`, `parts`, `zip`), the package
writer that patches an existing master part by part (`patch.patch_file` and the modules it uses),
and the writers of the macro-enabled package (`xlsm`, `vbaproject`, `cfb`)."""
