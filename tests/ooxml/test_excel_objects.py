"""What staff add to the master in Excel survives every command of the SOP.

A master gets objects Excel made (tests/data/excel-authored: a picture, a text box, a chart, a
form-control button, a VBA project) and parts built as Excel writes them (the button's control
properties, an x14 data validation and conditional format, a threaded comment with its person,
custom XML, printer settings). Then collect, validate, review with a return round, a second
collect and validate, the approval, report, timing and archive run on it; every one of those
parts must be the very same bytes afterwards and still linked from where Excel linked it.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from conftest import SAMPLE
from kinerja.libreoffice import convert
from kinerja.sample.demo import unit_entries
from kinerja.sample.roles import decide, fill_form
from kinerja.workbook import sheets as S
from kinerja.workbook.files import write_file
from kinerja.workbook.master import build_master, load_master, read_office_data

FIXTURES = Path(__file__).parents[1] / "data" / "excel-authored"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT = R + "/"
MS = "http://schemas.microsoft.com/office/2006/relationships/"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
TC = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
PERSON_ID = "{8E7A3C1B-2F4D-4B6A-9C1E-5D3F7A2B9E10}"
COMMENT_ID = "{1B2C3D4E-5F60-4718-92A3-B4C5D6E7F809}"
CF_ID = "{6A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9}"
THREAD_CELL = "T4"  # beside the unit's table, where staff talk about it

# parts built as Excel writes them -------------------------------------------------------------
CTRL_PROP = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<formControlPr '
             f'xmlns="{X14}" objectType="Button" lockText="1"/>').encode()
CONTROLS = (f'<mc:AlternateContent xmlns:mc="{MC}"><mc:Choice Requires="x14" xmlns:x14="{X14}"><controls>'
            f'<mc:AlternateContent xmlns:mc="{MC}"><mc:Choice Requires="x14"><control shapeId="1025" r:id="{{rid}}" '
            f'name="Button 1" xmlns:r="{R}"><controlPr defaultSize="0" print="0" autoFill="0" autoPict="0" '
            'macro="[0]!Button1_Click"><anchor moveWithCells="1" sizeWithCells="1"><from>'
            '<xdr:col xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">2</xdr:col>'
            '<xdr:colOff xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">0</xdr:colOff>'
            '<xdr:row xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">1</xdr:row>'
            '<xdr:rowOff xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">0</xdr:rowOff>'
            '</from><to>'
            '<xdr:col xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">3</xdr:col>'
            '<xdr:colOff xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">0</xdr:colOff>'
            '<xdr:row xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">2</xdr:row>'
            '<xdr:rowOff xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">0</xdr:rowOff>'
            '</to></anchor></controlPr></control></mc:Choice></mc:AlternateContent></controls></mc:Choice>'
            '</mc:AlternateContent>')
X14_EXT = (f'<extLst><ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" xmlns:x14="{X14}"><x14:conditionalFormattings>'
           f'<x14:conditionalFormatting xmlns:xm="{XM}"><x14:cfRule type="dataBar" id="{CF_ID}"><x14:dataBar '
           'minLength="0" maxLength="100" gradient="0"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/>'
           '<x14:negativeFillColor rgb="FFFF0000"/><x14:axisColor rgb="FF000000"/></x14:dataBar></x14:cfRule>'
           '<xm:sqref>P4:P60</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext>'
           f'<ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" xmlns:x14="{X14}"><x14:dataValidations count="1" '
           f'xmlns:xm="{XM}"><x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
           "<x14:formula1><xm:f>Unit!$A$4:$A$20</xm:f></x14:formula1><xm:sqref>T5:T40</xm:sqref>"
           "</x14:dataValidation></x14:dataValidations></ext></extLst>")
CF_MAIN = ('<conditionalFormatting sqref="P4:P60"><cfRule type="dataBar" priority="1"><dataBar><cfvo type="min"/>'
           '<cfvo type="max"/><color rgb="FF638EC6"/></dataBar><extLst><ext uri="{B025F937-C7B1-47D3-B67F-A62EFF666E3E}" '
           f'xmlns:x14="{X14}"><x14:id>{CF_ID}</x14:id></ext></extLst></cfRule></conditionalFormatting>')
THREADED = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<ThreadedComments xmlns="{TC}" '
            'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<threadedComment ref="{THREAD_CELL}" dT="2026-10-08T09:12:44.53" personId="{PERSON_ID}" '
            f'id="{COMMENT_ID}"><text>Target TW IV perlu dicek lagi dengan Kasi.</text></threadedComment>'
            '</ThreadedComments>').encode()
PERSONS = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<personList xmlns="{TC}" '
           'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><person displayName="Sekretaris '
           f'Kecamatan" id="{PERSON_ID}" userId="sekretaris@sukamaju.go.id" providerId="None"/></personList>').encode()
LEGACY_NOTE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<comments '
               'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               f'xmlns:mc="{MC}" mc:Ignorable="xr" xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision">'
               f'<authors><author>tc={COMMENT_ID}</author></authors><commentList><comment ref="{THREAD_CELL}" authorId="0" '
               f'shapeId="0" xr:uid="{COMMENT_ID}"><text><t>[Threaded comment]\n\nYour version of Excel allows you to '
               "read this threaded comment; however, any edits to it will get removed if the file is opened in a newer "
               "version of Excel. Learn more: https://go.microsoft.com/fwlink/?linkid=870924\n\nComment:\n    Target TW "
               "IV perlu dicek lagi dengan Kasi.</t></text></comment></commentList></comments>").encode()
CUSTOM_XML = b'<?xml version="1.0" encoding="UTF-8" standalone="no"?><b:Sources xmlns:b="http://schemas.openxmlformats.org/officeDocument/2006/bibliography" SelectedStyle="\\APASixthEditionOfficeOnline.xsl" StyleName="APA"/>'
CUSTOM_PROPS = (b'<?xml version="1.0" encoding="UTF-8" standalone="no"?><ds:datastoreItem ds:itemID="{A1B2C3D4-0000-4000-8000-'
                b'000000000001}" xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs>'
                b'<ds:schemaRef ds:uri="http://schemas.openxmlformats.org/officeDocument/2006/bibliography"/></ds:schemaRefs>'
                b'</ds:datastoreItem>')
PRINTER = bytes(range(256)) * 4  # a DEVMODE is opaque binary to every tool but the printer driver


def _vml_note(row: int, col: int) -> bytes:
    """A note's VML shape as Excel writes it (comment01.xlsx), for the threaded comment's note."""
    from zipfile import ZipFile

    with ZipFile(FIXTURES / "button01.xlsx") as z:  # same header as every Excel VML drawing
        head = z.read("xl/drawings/vmlDrawing1.vml").decode().split("<v:shapetype")[0]
    return (head + '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202"\n  path="m,l,21600r21600,l21600,xe">\n'
            '  <v:stroke joinstyle="miter"/>\n  <v:path gradientshapeok="t" o:connecttype="rect"/>\n </v:shapetype>'
            '<v:shape id="_x0000_s1025" type="#_x0000_t202" style=\'position:absolute;\n  margin-left:107.25pt;'
            'margin-top:7.5pt;width:96pt;height:55.5pt;z-index:1;\n  visibility:hidden\' fillcolor="#ffffe1" '
            'o:insetmode="auto">\n  <v:fill color2="#ffffe1"/>\n  <v:shadow on="t" color="black" obscured="t"/>\n'
            '  <v:path o:connecttype="none"/>\n  <v:textbox style=\'mso-direction-alt:auto\'>\n   <div '
            "style='text-align:left'></div>\n  </v:textbox>\n  <x:ClientData ObjectType=\"Note\">\n   <x:MoveWithCells/>\n"
            f"   <x:SizeWithCells/>\n   <x:AutoFill>False</x:AutoFill>\n   <x:Row>{row - 1}</x:Row>\n"
            f"   <x:Column>{col - 1}</x:Column>\n  </x:ClientData>\n </v:shape></xml>").encode()


# grafting -------------------------------------------------------------------------------------


class Graft:
    """The master's package opened for adding parts as Excel would have added them."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as z:
            self.parts = {i.filename: z.read(i) for i in z.infolist()}
        wb = self.parts["xl/workbook.xml"].decode()
        rels = self.parts["xl/_rels/workbook.xml.rels"].decode()
        self.sheet = {}
        for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', wb):
            target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', rels)
            self.sheet[name] = "xl/" + (target.group(1) or target.group(2)).lstrip("/").removeprefix("xl/")

    def add(self, name: str, data: bytes, content_type: str | None = None) -> None:
        self.parts[name] = data
        if content_type:
            types = self.parts["[Content_Types].xml"].decode()
            self.parts["[Content_Types].xml"] = types.replace(
                "</Types>", f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>').encode()

    def default(self, ext: str, content_type: str) -> None:
        types = self.parts["[Content_Types].xml"].decode()
        if f'Extension="{ext}"' not in types:
            self.parts["[Content_Types].xml"] = types.replace(
                "<Default ", f'<Default Extension="{ext}" ContentType="{content_type}"/><Default ', 1).encode()

    def rel(self, source: str, rel_type: str, target: str) -> str:
        folder, _, base = source.rpartition("/")
        name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
        xml = self.parts.get(name, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Relationships '
                             b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>').decode()
        rid = f"rIdX{xml.count('<Relationship ') + 1}"
        xml = xml.replace("</Relationships>", f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/></Relationships>')
        self.parts[name] = xml.encode()
        return rid

    def sheet_xml(self, sheet: str, edit) -> None:
        part = self.sheet[sheet]
        self.parts[part] = edit(self.parts[part].decode()).encode()

    def drawing_from(self, fixture: str, sheet: str, number: int) -> list[str]:
        """The fixture's drawing (and what it links to) on `sheet`; returns the parts added."""
        added = []
        with zipfile.ZipFile(FIXTURES / fixture) as z:
            types = z.read("[Content_Types].xml").decode()
            drawing = f"xl/drawings/drawing{number}.xml"
            self.add(drawing, z.read("xl/drawings/drawing1.xml"), "application/vnd.openxmlformats-officedocument.drawing+xml")
            added.append(drawing)
            if "xl/drawings/_rels/drawing1.xml.rels" in z.namelist():
                rels = z.read("xl/drawings/_rels/drawing1.xml.rels")
                self.parts[f"xl/drawings/_rels/drawing{number}.xml.rels"] = rels
                added.append(f"xl/drawings/_rels/drawing{number}.xml.rels")
                for target in re.findall(rb'Target="\.\./([^"]+)"', rels):
                    part = "xl/" + target.decode()
                    ct = re.search(rf'PartName="/{re.escape(part)}" ContentType="([^"]+)"', types)
                    self.add(part, z.read(part), ct.group(1) if ct else None)
                    added.append(part)
        if any(p.endswith(".png") for p in added):
            self.default("png", "image/png")
        assert "<drawing " not in self.parts[self.sheet[sheet]].decode(), sheet  # one drawing per sheet
        rid = self.rel(self.sheet[sheet], RT + "drawing", f"../drawings/drawing{number}.xml")
        self.sheet_xml(sheet, lambda x: _before_end(x, f'<drawing xmlns:r="{R}" r:id="{rid}"/>'))
        return added

    def save(self, path: Path) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.parts.items():
                z.writestr(name, data)


def _before_end(xml: str, element: str) -> str:
    return xml.replace("</worksheet>", element + "</worksheet>")


def build(tmp: Path) -> tuple[Path, dict[str, bytes]]:
    """The sample office's master as an .xlsm with Excel's objects in it; returns it and the
    grafted parts (name -> bytes)."""
    plain = tmp / "induk.xlsx"
    build_master(plain, "candipuro", read_office_data(SAMPLE))
    g = Graft(plain)
    kept = []
    # a text box on Petunjuk, a picture on Rekap (rows replaced by every collect), a chart on Waktu SOP
    kept += g.drawing_from("textbox01.xlsx", "Petunjuk", 91)
    kept += g.drawing_from("image01.xlsx", S.REKAP.sheet, 92)
    kept += g.drawing_from("chart_bar01.xlsx", S.WAKTU.sheet, 93)
    # a form-control button on Riwayat (appended to by every command): VML shape + control properties
    with zipfile.ZipFile(FIXTURES / "button01.xlsx") as z:
        g.add("xl/drawings/vmlDrawing91.vml", z.read("xl/drawings/vmlDrawing1.vml"))
    g.default("vml", "application/vnd.openxmlformats-officedocument.vmlDrawing")
    g.add("xl/ctrlProps/ctrlProp1.xml", CTRL_PROP, "application/vnd.ms-excel.controlproperties+xml")
    riwayat = g.sheet[S.RIWAYAT.sheet]
    vml = g.rel(riwayat, RT + "vmlDrawing", "../drawings/vmlDrawing91.vml")
    ctrl = g.rel(riwayat, MS + "ctrlProp", "../ctrlProps/ctrlProp1.xml")
    g.sheet_xml(S.RIWAYAT.sheet, lambda x: _before_end(x, f'<legacyDrawing xmlns:r="{R}" r:id="{vml}"/>'
                                                       + CONTROLS.replace("{rid}", ctrl)))
    kept += ["xl/drawings/vmlDrawing91.vml", "xl/ctrlProps/ctrlProp1.xml"]
    # on a unit sheet (marked and cleared by validate, locked by review): a threaded comment with
    # its note, an x14 data validation and a data bar with its x14 extension
    unit = "Data PEM"
    part = g.sheet[unit]
    g.add("xl/threadedComments/threadedComment1.xml", THREADED, "application/vnd.ms-excel.threadedcomments+xml")
    g.add("xl/persons/person.xml", PERSONS, "application/vnd.ms-excel.person+xml")
    g.add("xl/comments1.xml", LEGACY_NOTE, "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml")
    g.add("xl/drawings/vmlDrawing92.vml", _vml_note(4, 20))
    g.rel(part, "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment",
          "../threadedComments/threadedComment1.xml")
    g.rel("xl/workbook.xml", "http://schemas.microsoft.com/office/2017/10/relationships/person", "persons/person.xml")
    g.rel(part, RT + "comments", "../comments1.xml")
    note_vml = g.rel(part, RT + "vmlDrawing", "../drawings/vmlDrawing92.vml")

    def unit_sheet(x: str) -> str:
        x = x.replace("<pageMargins", CF_MAIN + "<pageMargins", 1)
        return _before_end(x, f'<legacyDrawing xmlns:r="{R}" r:id="{note_vml}"/>' + X14_EXT)

    g.sheet_xml(unit, unit_sheet)
    kept += ["xl/threadedComments/threadedComment1.xml", "xl/persons/person.xml"]
    # printer settings of the Rekap's page setup, custom XML, the VBA project
    g.add("xl/printerSettings/printerSettings1.bin", PRINTER,
          "application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings")
    printer = g.rel(g.sheet[S.REKAP.sheet], RT + "printerSettings", "../printerSettings/printerSettings1.bin")
    g.sheet_xml(S.REKAP.sheet, lambda x: re.sub(r"(<pageMargins[^>]*/>)", rf'\1<pageSetup xmlns:r="{R}" paperSize="9" '
                                                rf'orientation="landscape" r:id="{printer}"/>', x, count=1))
    g.add("customXml/item1.xml", CUSTOM_XML)
    g.add("customXml/itemProps1.xml", CUSTOM_PROPS, "application/vnd.openxmlformats-officedocument.customXmlProperties+xml")
    g.rel("customXml/item1.xml", RT + "customXmlProps", "itemProps1.xml")
    g.rel("xl/workbook.xml", RT + "customXml", "../customXml/item1.xml")
    with zipfile.ZipFile(FIXTURES / "macro01.xlsm") as z:
        g.add("xl/vbaProject.bin", z.read("xl/vbaProject.bin"))
    g.default("bin", "application/vnd.ms-office.vbaProject")
    g.rel("xl/workbook.xml", MS + "vbaProject", "vbaProject.bin")
    types = g.parts["[Content_Types].xml"].decode().replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    g.parts["[Content_Types].xml"] = types.encode()
    kept += ["customXml/item1.xml", "customXml/itemProps1.xml", "customXml/_rels/item1.xml.rels",
             "xl/printerSettings/printerSettings1.bin", "xl/vbaProject.bin", "xl/theme/theme1.xml"]
    master = tmp / "induk.xlsm"
    g.save(master)
    plain.unlink()
    return master, {name: g.parts[name] for name in kept}


# checking -------------------------------------------------------------------------------------


def _links(z: zipfile.ZipFile, source: str) -> dict[str, str]:
    """Relationship type (last segment) -> resolved target, for one source part."""
    folder, _, base = source.rpartition("/")
    name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    root = etree.fromstring(z.read(name))
    out = {}
    for rel in root:
        target = rel.get("Target")
        if rel.get("TargetMode") != "External":
            target = str(Path(folder, target)).replace("\\", "/")
            target = re.sub(r"[^/]+/\.\./", "", target)
        out.setdefault(rel.get("Type").rsplit("/", 1)[-1], target)
        if rel.get("Type").endswith(("drawing", "vmlDrawing", "ctrlProp", "printerSettings")):
            out[rel.get("Type").rsplit("/", 1)[-1] + ":" + rel.get("Id")] = target
    return out


def check_kept(master: Path, kept: dict[str, bytes], sheet_of: dict[str, str]) -> None:
    with zipfile.ZipFile(master) as z:
        assert z.testzip() is None
        names = set(z.namelist())
        for name, data in kept.items():
            assert name in names, f"{name} hilang"
            assert z.read(name) == data, f"{name} berubah"
        types = z.read("[Content_Types].xml").decode()
        for name in kept:
            if name.endswith(".xml") and "customXml/item1" not in name and "_rels" not in name:
                assert f'PartName="/{name}"' in types, name
        assert "macroEnabled.main+xml" in types
        wb_links = _links(z, "xl/workbook.xml")
        assert wb_links["vbaProject"] == "xl/vbaProject.bin" and wb_links["person"] == "xl/persons/person.xml"
        assert wb_links["customXml"] == "customXml/item1.xml"
        for sheet, drawing in (("Petunjuk", "xl/drawings/drawing91.xml"), (S.REKAP.sheet, "xl/drawings/drawing92.xml"),
                               (S.WAKTU.sheet, "xl/drawings/drawing93.xml")):
            part = sheet_of[sheet]
            xml = z.read(part).decode()
            rid = re.search(r'<drawing [^>]*r:id="([^"]+)"', xml).group(1)
            assert _links(z, part)[f"drawing:{rid}"] == drawing, sheet
        assert _links(z, "xl/drawings/drawing92.xml")["image"] == "xl/media/image1.png"
        assert _links(z, "xl/drawings/drawing93.xml")["chart"] == "xl/charts/chart1.xml"
        rekap = z.read(sheet_of[S.REKAP.sheet]).decode()
        rid = re.search(r'<pageSetup [^>]*r:id="([^"]+)"', rekap).group(1)
        assert _links(z, sheet_of[S.REKAP.sheet])[f"printerSettings:{rid}"] == "xl/printerSettings/printerSettings1.bin"
        riwayat = z.read(sheet_of[S.RIWAYAT.sheet]).decode()
        rid = re.search(r'<legacyDrawing [^>]*r:id="([^"]+)"', riwayat).group(1)
        assert _links(z, sheet_of[S.RIWAYAT.sheet])[f"vmlDrawing:{rid}"] == "xl/drawings/vmlDrawing91.vml"
        control = re.search(r'<control shapeId="1025" r:id="([^"]+)"[^>]*name="Button 1"', riwayat)
        assert control and _links(z, sheet_of[S.RIWAYAT.sheet])[f"ctrlProp:{control.group(1)}"] == "xl/ctrlProps/ctrlProp1.xml"
        assert "mc:AlternateContent" in riwayat and 'Requires="x14"' in riwayat
        # the unit sheet: its x14 extensions as they were, the threaded comment and its note
        unit = z.read(sheet_of["Data PEM"]).decode()
        ext = etree.fromstring(X14_EXT.replace("<extLst>", '<extLst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">', 1))
        got = etree.fromstring(unit.encode()).find("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}extLst")
        assert etree.tostring(got, method="c14n", exclusive=True) == etree.tostring(ext, method="c14n", exclusive=True)
        assert CF_ID in unit and '<conditionalFormatting sqref="P4:P60">' in unit
        links = _links(z, sheet_of["Data PEM"])
        assert links["threadedComment"] == "xl/threadedComments/threadedComment1.xml"
        notes = z.read(links["comments"]).decode()
        assert f"tc={COMMENT_ID}" in notes and f'ref="{THREAD_CELL}"' in notes
        vml = z.read(re.sub(r"#.*", "", links["vmlDrawing"])).decode()
        assert re.search(r"<x:Row>3</x:Row>\s*<x:Column>19</x:Column>", vml)


@pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")  # openpyxl, reading to check
def test_excel_objects_survive_every_command(tmp_path):
    from kinerja.stages.archive import archive_period
    from kinerja.stages.collect import collect
    from kinerja.stages.documents import render_report
    from kinerja.stages.forms import build_forms
    from kinerja.stages.review import review
    from kinerja.stages.timing import recompute
    from kinerja.stages.validate import validate

    master, kept = build(tmp_path)
    sheet_of = Graft(master).sheet
    loaded = load_master(master)
    assert loaded.master is not None, loaded.report.to_json()
    steps = []

    def run(fn, *args, **kw):
        outcome = fn(load_master(master), *args, **kw)
        write_file(master, outcome.writes)
        check_kept(master, kept, sheet_of)
        steps.append(fn.__name__)
        return outcome

    forms = run(build_forms, tmp_path / "formulir", who="AGUS", now=datetime(2026, 10, 5, 9, 0))
    inbox = tmp_path / "masuk"
    entries = unit_entries()
    for identity, form in zip(forms.identities, forms.files):
        fill_form(form, inbox / form.name, {k: v for k, v in entries.items() if k.startswith(identity.unit + ".")})
    run(collect, inbox, now=datetime(2026, 10, 8, 9, 0), who="AGUS")
    v = run(validate, datetime(2026, 10, 12, 9, 0))

    back = max(v.counts, key=lambda u: (v.counts[u]["error"], v.counts[u]["warning"]))
    decide(master, {u: "Kembalikan" if u == back else "Terima" for u in v.counts}, "Lengkapi penjelasan.")
    r = run(review, tmp_path / "formulir", who="SEKRETARIS", now=datetime(2026, 10, 12, 11, 0))
    assert r.forms and back in r.returned
    revised = inbox / r.forms[0].name
    shutil.copy(r.forms[0], revised)
    later = datetime(2026, 10, 13, 10, 0)
    run(collect, inbox, now=later, who="AGUS")
    run(validate, later + timedelta(hours=1))
    decide(master, {back: "Terima"})
    r = run(review, tmp_path / "formulir", who="SEKRETARIS", now=later + timedelta(hours=2))
    run(render_report, tmp_path / "laporan", force=True, who="AGUS", now=datetime(2026, 10, 16, 9, 0))
    run(recompute, datetime(2026, 10, 16, 10, 0))
    run(archive_period, tmp_path / "arsip", who="AGUS", now=datetime(2026, 10, 16, 11, 0))
    assert steps == ["build_forms", "collect", "validate", "review", "collect", "validate", "review",
                     "render_report", "recompute", "archive_period"]
    # the stages' own work landed too: marks and notes beside the threaded comment, the lock
    from openpyxl import load_workbook

    wb = load_workbook(master, keep_vba=True)
    assert wb["Data PEM"][THREAD_CELL].comment is not None  # the threaded comment's note
    assert any(c.comment is not None and c.comment.author == "kinerja"
               for ws in wb.worksheets if ws.title.startswith("Data ") for row in ws.iter_rows() for c in row)
    # LibreOffice opens the patched master
    ods = convert(master, "ods", tmp_path / "lo")
    assert ods.exists() and ods.stat().st_size > 0
