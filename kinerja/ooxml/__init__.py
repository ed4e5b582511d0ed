"""The package writer: an .xlsx/.xlsm package patched part by part (`patch.patch_file`)."""
