"""Write data/examples/lgos-example.xlsx from lgos-example.csv (run again after editing the CSV).

.venv/bin/python scripts/make_example_xlsx.py
"""

import csv
from pathlib import Path

from openpyxl import Workbook

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "examples"


def main() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "LGOs"
    with (EXAMPLES / "lgos-example.csv").open(encoding="utf-8-sig", newline="") as source:
        for row in csv.reader(source):
            sheet.append(row)
    # Codes are text: a number format would drop leading zeros in codes that have them.
    for column, width in zip("ABCD", (12, 44, 16, 14), strict=True):
        sheet.column_dimensions[column].width = width
        for cell in sheet[column]:
            cell.number_format = "@"
    workbook.save(EXAMPLES / "lgos-example.xlsx")


if __name__ == "__main__":
    main()
