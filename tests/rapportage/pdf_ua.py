"""A structure-tree check for PDF/UA, with pikepdf: what a screen reader depends on."""

from __future__ import annotations

import io

import pikepdf

# The standard structure types of PDF 1.7 (ISO 32000-1, 14.8.4): a PDF/UA file uses these,
# or maps its own to them in a RoleMap.
STANDARD = {
    *("Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI"),
    *("Index", "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6"),
    *("L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot"),
    *("Span", "Quote", "Note", "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby"),
    *("RB", "RT", "RP", "Warichu", "WT", "WP", "Figure", "Formula", "Form"),
}


def _elements(root: pikepdf.Dictionary):
    stack = [(root, None)]
    while stack:
        elem, parent = stack.pop()
        if elem is not root:
            yield elem, parent
        kids = elem.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                stack.append((kid, elem))


def _attrs(elem: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    attrs = elem.get("/A")
    if attrs is None:
        return []
    return [a for a in (attrs if isinstance(attrs, pikepdf.Array) else [attrs])]


def problems(pdf: bytes) -> list[str]:
    """Every way the file falls short of the PDF/UA checks below; [] when it passes."""
    found: list[str] = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root
        if not str(doc.docinfo.get("/Title", "")).strip():
            found.append("no /Title")
        prefs = root.get("/ViewerPreferences")
        if prefs is None or not prefs.get("/DisplayDocTitle"):
            found.append("no DisplayDocTitle")
        if not str(root.get("/Lang", "")).strip():
            found.append("no /Lang")
        mark = root.get("/MarkInfo")
        if mark is None or not mark.get("/Marked"):
            found.append("not /Marked")
        tree = root.get("/StructTreeRoot")
        if tree is None:
            return [*found, "no StructTreeRoot"]
        parent_tree = tree.get("/ParentTree")
        if parent_tree is None:
            found.append("no ParentTree")
        else:
            keys = set()
            nums = parent_tree.get("/Nums", pikepdf.Array())
            keys.update(int(nums[i]) for i in range(0, len(nums), 2))
            for kid in parent_tree.get("/Kids", pikepdf.Array()):
                kn = kid.get("/Nums", pikepdf.Array())
                keys.update(int(kn[i]) for i in range(0, len(kn), 2))
            for number, page in enumerate(doc.pages, 1):
                sp = page.obj.get("/StructParents")
                if sp is None or int(sp) not in keys:
                    found.append(f"page {number}: marked content not in the ParentTree")
        tables_with_th: dict[int, bool] = {}
        table_of: dict[int, int] = {}
        for elem, parent in _elements(tree):
            s = str(elem.get("/S", ""))[1:]
            if s not in STANDARD:
                found.append(f"structure type /{s} is not standard")
            if s == "Table":
                tables_with_th.setdefault(elem.objgen[0], False)
            if parent is not None and parent.objgen[0] in table_of:
                table_of[elem.objgen[0]] = table_of[parent.objgen[0]]
            if s == "Table":
                table_of[elem.objgen[0]] = elem.objgen[0]
            if s == "Figure" and not str(elem.get("/Alt", "")).strip():
                found.append("a /Figure without /Alt")
            if s == "TH":
                table = table_of.get(elem.objgen[0])
                if table is not None:
                    tables_with_th[table] = True
                if not any(
                    a.get("/O") == "/Table" and a.get("/Scope") in ("/Row", "/Column", "/Both")
                    for a in _attrs(elem)
                ):
                    found.append("a /TH without /Scope")
        bare = sum(1 for has in tables_with_th.values() if not has)
        if bare:
            found.append(f"{bare} tables without a /TH")
    return found
