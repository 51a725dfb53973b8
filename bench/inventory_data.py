"""A Government of Canada service inventory of the whole inventory's shape, generated
from the real sample (tests/data/interop/gc_sample): 1,721 service rows of 78
departments and 2,341 standards, in the published layout (UTF-8 with BOM, every
column in its order, the departments' own quirks and data errors kept).

Each sample service is copied, with all its fiscal years and standards, into
other departments (copy k of the sample's department j belongs to department
14k + j, wrapping round at 78): the copy keeps every published cell but its
service and standard ids (made unique) and its department (`owner_org`
`dept-NN`, titled "Department NN | Ministère NN"). Copies go on until the service
rows are reached; standards stop
at their count (the sample has more standards per service than the whole).

    python bench/inventory_data.py OUT_DIR [--services 1721] [--standards 2341]
"""

import argparse
import csv
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "interop" / "gc_sample"
SERVICES, STANDARDS = "si_2024_sample.csv", "ss_2024_sample.csv"
SHAPE = {"services": 1_721, "standards": 2_341, "departments": 78}


def _read(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, [dict(zip(header, row, strict=True)) for row in reader]


def _copied_id(published, copy):
    """The id of copy `copy` (0: the sample's own)."""
    return published if copy == 0 else f"{published}-{copy}"


def _department(copy, index, count):
    return (copy * count + index) % SHAPE["departments"]


def generate(
    *, services=SHAPE["services"], standards=SHAPE["standards"], sample=SAMPLE, number=None
):
    """(services CSV text, standards CSV text, departments): the generated files.

    `number`: how many sample services at most (for tests that want a few rows)."""
    service_header, service_rows = _read(sample / SERVICES)
    standard_header, standard_rows = _read(sample / STANDARDS)
    by_service, years = {}, {}
    for row in service_rows:
        years.setdefault(row["service_id"], []).append(row)
    for row in standard_rows:
        by_service.setdefault(row["service_id"], []).append(row)
    orgs = list(dict.fromkeys(r["owner_org"] for r in service_rows))
    ids = list(years)[:number] if number else list(years)
    out_services, out_standards, departments = [], [], set()
    copy = 0
    while len(out_services) < services:
        for service_id in ids:
            rows = years[service_id]
            if len(out_services) + len(rows) > services:
                rows = rows[: services - len(out_services)]
            if not rows:
                break
            org = rows[0]["owner_org"]
            department = _department(copy, orgs.index(org), len(orgs))
            code = f"dept-{department:02d}"
            departments.add(code)
            new_id = _copied_id(service_id, copy)

            def copied(row, code=code, new_id=new_id, n=department):
                return {
                    **row,
                    "service_id": new_id,
                    "owner_org": code,
                    "owner_org_title": f"Department {n:02d} | Ministère {n:02d}",
                }

            out_services += [copied(r) for r in rows]
            for standard in by_service.get(service_id, []):
                if len(out_standards) == standards:
                    break
                row = copied(standard)
                if row["service_standard_id"]:
                    row["service_standard_id"] = _copied_id(row["service_standard_id"], copy)
                out_standards.append(row)
        copy += 1
    return _csv(service_header, out_services), _csv(standard_header, out_standards), departments


def _csv(header, rows):
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return "\ufeff" + text.getvalue()


def write(directory, **shape):
    """Write the two files into `directory`; (services path, standards path, departments)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    services, standards, departments = generate(**shape)
    paths = directory / "si_generated.csv", directory / "ss_generated.csv"
    for path, text in zip(paths, (services, standards), strict=True):
        path.write_text(text, encoding="utf-8")
    return *paths, departments


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--services", type=int, default=SHAPE["services"])
    parser.add_argument("--standards", type=int, default=SHAPE["standards"])
    args = parser.parse_args()
    services, standards, departments = write(
        args.out, services=args.services, standards=args.standards
    )
    print(f"{services}, {standards}: {len(departments)} departments")


if __name__ == "__main__":
    main()
