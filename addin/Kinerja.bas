Attribute VB_Name = "Kinerja"
' Data Kinerja: dispatcher of the ribbon tab "Data Kinerja".
' Every button calls KinerjaTombol; the button's tag names the action, which
' kinerja.excel.handlers runs in Python through xlwings' RunPython.
Option Explicit

' onAction callback of every button on the ribbon tab.
Public Sub KinerjaTombol(control As IRibbonControl)
    KinerjaJalankan control.Tag
End Sub

' Entry point for the fallback panel, e.g. a sheet button: KinerjaJalankan "validasi"
Public Sub KinerjaJalankan(tag As String)
    ' The tag is pasted into Python code: allow only a-z and "_".
    If Len(tag) = 0 Or tag Like "*[!a-z_]*" Then
        MsgBox "Perintah tidak dikenal: """ & tag & """.", vbExclamation, "Data Kinerja"
        Exit Sub
    End If
    RunPython "import kinerja.excel.handlers as h; h.run('" & tag & "')"
End Sub
