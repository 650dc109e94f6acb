"""Writes the hostile spreadsheets of HostileInputTests into the folder given as argument.

Every archive is made with Python's zipfile; the byte patches (encryption flag, offsets,
disks, ZIP64) are done by the Swift tests on the small valid one, ok.xlsx.
"""
import os
import sys
import zipfile

out = sys.argv[1]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "</Types>")
ROOT_RELS = f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
WORKBOOK = f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Feuille1" sheetId="1" r:id="rId1"/></sheets></workbook>'
WORKBOOK_RELS = f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def path(name):
    return os.path.join(out, name)


def worksheet(rows, prolog=""):
    return f'<?xml version="1.0"?>{prolog}<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'


def xlsx(name, sheet, extra=()):
    with zipfile.ZipFile(path(name), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for entry, data in extra:
            z.writestr(entry, data)


def ods(name, tables, prolog="", encoding="utf-8", declaration='<?xml version="1.0" encoding="UTF-8"?>'):
    content = f'{declaration}{prolog}<office:document-content {ODS_NS}><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>'
    with zipfile.ZipFile(path(name), "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content.encode(encoding), compress_type=zipfile.ZIP_DEFLATED)


def cell(text, attributes=""):
    return f'<table:table-cell office:value-type="string" {attributes}><text:p>{text}</text:p></table:table-cell>'


# A small valid workbook, patched by the tests.
xlsx("ok.xlsx", worksheet('<row r="1"><c r="A1" t="inlineStr"><is><t>ok</t></is></c></row>'))

# Zip bombs: 8 MiB of blanks in one part (past a 4 MiB cap), 64 MiB (a ratio near 1,000).
xlsx("bomb-cap.xlsx", worksheet(" " * (8 << 20)))
xlsx("bomb-ratio.xlsx", worksheet(" " * (64 << 20)))

# Billion laughs, and an external entity, in .xlsx and .ods.
laughs = '<!DOCTYPE lolz [<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)) + "]>"
xlsx("laughs.xlsx", worksheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', prolog=laughs))
ods("laughs.ods", '<table:table table:name="T"><table:table-row>' + cell("&lol9;") + "</table:table-row></table:table>", prolog=laughs)
xxe = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
xlsx("xxe.xlsx", worksheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>', prolog=xxe))
ods("xxe.ods", '<table:table table:name="T"><table:table-row>' + cell("&xxe;") + "</table:table-row></table:table>", prolog=xxe)
# The same in UTF-16, which a byte search for "<!DOCTYPE" cannot see: UTF-8 is imposed, so it cannot parse.
ods("xxe-utf16.ods", '<table:table table:name="T"><table:table-row>' + cell("&xxe;") + "</table:table-row></table:table>",
    prolog=xxe, encoding="utf-16", declaration='<?xml version="1.0" encoding="UTF-16"?>')

# Too many entries: 100,000 (ZIP64's count) and 5,000 (a plain archive).
for name, count in (("entries-100000.zip", 100_000), ("entries-5000.xlsx", 5_000)):
    with zipfile.ZipFile(path(name), "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        for i in range(count):
            z.writestr(f"x/{i}", b"")

# Repeated cells and rows, as LibreOffice writes trailing empties, with the largest counts.
ods("repeated-empty.ods", '<table:table table:name="T">'
    '<table:table-row>' + cell("a") + '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    '<table:table-row>' + cell("fin") + '</table:table-row>'
    '<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    "</table:table>")
ods("repeated-full.ods", '<table:table table:name="T">'
    '<table:table-row table:number-rows-repeated="1048576">' + cell("x", 'table:number-columns-repeated="16384"') + "</table:table-row>"
    "</table:table>")
ods("repeated-wide.ods", '<table:table table:name="T">'
    '<table:table-row>' + cell("x", 'table:number-columns-repeated="16384"') + '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    '<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    "</table:table>")
ods("spaces.ods", '<table:table table:name="T"><table:table-row>'
    + cell('<text:s text:c="1000000000"/>' * 4) + "</table:table-row></table:table>")

# Damaged content: a shared string that does not exist, a column past XFD, two entries of one name.
xlsx("bad-index.xlsx", worksheet('<row r="1"><c r="A1" t="s"><v>5</v></c></row>'))
xlsx("wide.xlsx", worksheet('<row r="1"><c r="XFE1" t="inlineStr"><is><t>x</t></is></c></row>'))
xlsx("duplicate.xlsx", worksheet('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'),
     extra=[("xl/worksheets/sheet1.xml", worksheet(""))])

# ZIP archives that are no spreadsheet: a text document, a Word document.
with zipfile.ZipFile(path("text.odt"), "w") as z:
    z.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
    z.writestr("content.xml", "<x/>")
with zipfile.ZipFile(path("word.docx"), "w") as z:
    z.writestr("[Content_Types].xml", CONTENT_TYPES.replace("spreadsheetml.sheet.main", "wordprocessingml.document.main"))
