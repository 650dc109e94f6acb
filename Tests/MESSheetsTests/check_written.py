"""Checks a workbook SheetWriter wrote, independently of mes: python3 check_written.py FILE.

Every entry's CRC is right, every XML part is well-formed, the required parts are there; for
.ods the mimetype entry comes first, stored, with no extra field. Prints "ok" or fails.
"""
import sys
import xml.etree.ElementTree as ET
import zipfile

name = sys.argv[1]
with zipfile.ZipFile(name) as z:
    assert z.testzip() is None, "a CRC is wrong"
    infos = z.infolist()
    names = [i.filename for i in infos]
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            ET.fromstring(z.read(info))
    if name.endswith(".ods"):
        first = infos[0]
        assert first.filename == "mimetype", names
        assert first.compress_type == zipfile.ZIP_STORED and first.extra == b"", "mimetype is not stored plainly"
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
        assert {"META-INF/manifest.xml", "content.xml"} <= set(names), names
        ns = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0"}
        tables = ET.fromstring(z.read("content.xml")).findall(".//table:table", ns)
        assert len(tables) == 1, tables
    else:
        required = {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                    "xl/worksheets/sheet1.xml", "xl/styles.xml"}
        assert required <= set(names), names
        main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        for c in sheet.iter(main + "c"):
            assert c.get("t") == "inlineStr", "every cell is text"
print("ok")
