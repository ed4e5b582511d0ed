Attribute VB_Name = "Kinerja"
' Data Kinerja: the only VBA of the master workbook. Every button of the ribbon tab
' "Data Kinerja" calls KinerjaTombol; the button's tag names the action, which
' kinerja.excel.handlers runs in Python through the xlwings add-in (xlwings.xlam, from the
' xlwings package, BSD 3-clause licence; 'kinerja excel setup' installs it).
Option Explicit

' onAction callback of every button on the ribbon tab.
Public Sub KinerjaTombol(control As IRibbonControl)
    KinerjaJalankan control.Tag
End Sub

' Entry point for a sheet button: KinerjaJalankan with the tag of an action.
Public Sub KinerjaJalankan(tag As String)
    ' The tag is pasted into Python code: allow only a-z and "_".
    If Len(tag) = 0 Or tag Like "*[!a-z_]*" Then
        MsgBox "Perintah tidak dikenal: """ & tag & """.", vbExclamation, "Data Kinerja"
        Exit Sub
    End If
    On Error GoTo TanpaAddin
    Application.Run "xlwings.xlam!RunPython", "import kinerja.excel.handlers as h; h.run('" & tag & "')"
    Exit Sub
TanpaAddin:
    MsgBox "Add-in xlwings belum aktif di Excel ini: jalankan lagi pemasangan kinerja " & _
           "(kinerja excel setup), lalu tutup dan buka lagi Excel. Sementara itu pakai sheet Panel.", _
           vbExclamation, "Data Kinerja"
End Sub
